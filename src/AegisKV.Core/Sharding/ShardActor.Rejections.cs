using Akka.Actor;
using Akka.Event;
using AegisKV.Core.Replies;
using AegisKV.Core.State;
using AegisKV.Storage;

namespace AegisKV.Core.Sharding;

// Writes the journal refused: taken back off the map, newest first, so that no client sees and no restart brings back
// a write that was refused (ADR 0006).
public sealed partial class ShardActor
{
    /// <inheritdoc />
    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        // Writes after the refused one were refused too (the WAL fences this shard): all were taken back at once.
        if (sequenceNr <= _takenBackThrough) return;
        if (cause is not WalWriteException)
        {
            // Not the disk: the event itself was refused (it could not be serialized), and nothing fences
            // the writes after it. Start over from the WAL, which holds what was written; the held replies
            // get an error, as their writes may or may not be there.
            _held.FailAll(Errors.Text($"ERR shard {_shardId} restarts after the journal refused a write: {OneLine(cause.Message)}"));
            throw new InvalidOperationException($"shard {_shardId}: the journal refused event {sequenceNr}", cause);
        }

        TakeBackUnconfirmed(cause);
    }

    // The journal refused a write (full disk, I/O error). Every write not yet durable is taken back off
    // the map, newest first, and every reply waiting on one is answered with the error: no client sees,
    // and no restart brings back, a write that was refused. Reads go on from memory.
    private void TakeBackUnconfirmed(Exception cause)
    {
        _takenBackThrough = _assignedSequenceNr;
        var error = Errors.Text($"MISCONF {OneLine(cause.Message)}; writes are refused until it is, reads are served");
        var writes = _unconfirmed.ToArray();
        for (var i = writes.Length - 1; i >= 0; i--) _state.Undo(writes[i].Undo);
        _unconfirmed.Clear();
        _held.FailAll(error);
        _pendingKeys.Clear();
        _pendingWrites = 0;
        _pendingClears = 0;
        Journal.Tell(new ReleaseWriteFence(PersistenceId, _assignedSequenceNr));
        if (!_epochDurable)
        {
            Timers.StartSingleTimer("epoch", RetryEpoch.Instance, _epochRetry);
            _epochRetry = TimeSpan.FromTicks(Math.Min(_epochRetry.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
        }

        // One line per shard every ten seconds at most, however often clients retry.
        var now = Environment.TickCount64;
        if (now - _lastTakeBackLog >= 10_000)
        {
            _lastTakeBackLog = now;
            _log.Warning("Shard {0}: the WAL refused writes ({1}); {2} not yet durable taken back", _shardId, OneLine(cause.Message), writes.Length);
        }
    }

    // A command whose events are not yet durable, with what they replaced in the map.
    private sealed class UnconfirmedWrite(int events, ShardState.Change[]? undo)
    {
        public int Remaining { get; set; } = events;

        public ShardState.Change[]? Undo { get; } = undo;
    }
}
