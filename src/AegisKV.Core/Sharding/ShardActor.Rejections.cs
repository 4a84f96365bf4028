using Akka.Event;
using AegisKV.Core.Replies;

namespace AegisKV.Core.Sharding;

// Writes the WAL refused: taken back off the map, newest first, so that no client sees and no restart brings back
// a write that was refused (ADR 0006).
public sealed partial class ShardActor
{
    // The WAL refused a write (full disk, I/O error), and with it every later one of this shard (it fences the
    // shard until released). Every write not yet durable is taken back off the map, newest first, and every reply
    // waiting on one is answered with the error: no client sees, and no restart brings back, a write that was
    // refused. Reads go on from memory; what waited only for those writes (a handoff) goes on.
    private void TakeBackUnconfirmed(Exception cause)
    {
        _takenBackThrough = _assignedSequenceNr;
        var error = Errors.Text($"MISCONF {OneLine(cause.Message)}; writes are refused until it is, reads are served");
        var entries = _journaled.ToArray();
        _journaled.Clear();
        _answers.Clear();
        _actionsInFlight = 0;
        var writes = 0;
        foreach (var entry in entries)
            if (entry.Events is not null) writes++;
        // The log holds every write not yet durable, oldest first: Undo takes them back newest first.
        _state.Undo(_undoLog.ToArray());
        _undoLog.Clear();

        _held.FailAll(error);
        _pendingKeys.Clear();
        _pendingWrites = 0;
        _pendingClears = 0;
        _appender!.ReleaseFence(_assignedSequenceNr);
        if (!_epochDurable)
        {
            Timers.StartSingleTimer("epoch", RetryEpoch.Instance, _epochRetry);
            _epochRetry = TimeSpan.FromTicks(Math.Min(_epochRetry.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
        }

        EndEpochStart();
        foreach (var entry in entries)
        {
            if (entry.Events is null) entry.Then?.Invoke();
        }

        // One line per shard every ten seconds at most, however often clients retry.
        var now = Environment.TickCount64;
        if (now - _lastTakeBackLog >= 10_000)
        {
            _lastTakeBackLog = now;
            _log.Warning("Shard {0}: the WAL refused writes ({1}); {2} not yet durable taken back", _shardId, OneLine(cause.Message), writes);
        }
    }
}
