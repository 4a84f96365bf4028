using Akka.Actor;
using AegisKV.Core.Replies;
using AegisKV.Core.State;
using AegisKV.Storage;

namespace AegisKV.Core.Sharding;

// The write path of a shard that is not replicated: a command's events are one WAL record, numbered by the shard and
// handed to the WAL directly (WalAppender), not through the journal actor. The records of one run of the mailbox go
// to the WAL as one write, so the WAL's group commit gets them all; the WAL tells the shard once they are durable,
// and the shard answers their writers then. What waits for the writes in flight (a read of a key being written, a
// handoff) queues behind them. The records are the journal's own: the shard recovers through the journal as before.
public sealed partial class ShardActor
{
    private readonly Queue<Journaled> _journaled = new();
    // What the writes in flight replaced, oldest first: taken back newest first should the WAL refuse them. One
    // queue for the shard, so a write costs no array of its own for it.
    private readonly Queue<ShardState.Change> _undoLog = new();
    // The replies of the writes (and reads behind them) not yet submitted, which the WAL's thread answers once the
    // submitted write is durable; the shard's own bookkeeping follows when it hears of it.
    private readonly List<HeldAnswer> _answers = [];
    // Entries with an action to run once durable: replies after one wait for it, so the shard answers them itself.
    private int _actionsInFlight;
    private WalAppender? _appender;
    private bool _submitQueued;
    private long _durableThrough;

    private void OpenAppender()
    {
        _appender = WalJournals.Get(Context.System).AppenderFor(Journal, PersistenceId)
                    ?? throw new InvalidOperationException($"shard {_shardId}: its journal ({JournalPluginId}) is not an AegisKV WAL journal");
        _durableThrough = LastSequenceNr;
    }

    // Journals one command's events as one record, with the last `undone` changes of the undo log as what they
    // replaced; once durable, the held reply is answered and `then` runs.
    private void JournalEvents(List<IShardEvent> events, int undone, PendingReplies.Slot? held = null, Reply? reply = null, Action? then = null)
    {
        var sequenceNr = ++_assignedSequenceNr;
        IShardEvent record;
        object written;
        if (events.Count == 1)
        {
            written = record = events[0];
        }
        else
        {
            var all = events.ToArray();
            record = new ShardEvents(all[0].Epoch, all);
            written = all;
        }

        _appender!.Append(sequenceNr, record);
        foreach (var e in events) MarkPending(e);
        Enqueue(new Journaled(sequenceNr, written, undone, held, reply, then));
        if (_submitQueued) return;
        // Sent to self: the commands already in the mailbox run first, and their records go out in the same write.
        _submitQueued = true;
        Self.Tell(SubmitJournaled.Instance);
    }

    // Answers the held reply (or runs `then`) once every write journaled so far is durable: at once when none is in flight.
    private void AfterWrites(PendingReplies.Slot? held, Reply? reply, Action? then = null)
    {
        if (_journaled.Count == 0)
        {
            held?.Complete(reply!);
            then?.Invoke();
            return;
        }

        Enqueue(new Journaled(_assignedSequenceNr, null, 0, held, reply, then));
    }

    // A reply goes with the next submit when it is its writes' (a submit is due) and no action is in flight before it.
    private void Enqueue(Journaled entry)
    {
        _journaled.Enqueue(entry);
        if (entry.Then is not null) _actionsInFlight++;
        else if (entry.Held is { } held && _actionsInFlight == 0 && (entry.Events is not null || _submitQueued)) _answers.Add(new HeldAnswer(held, entry.Reply!));
    }

    // The WAL's outcomes and the submit the shard sent itself; false for every other message.
    private bool HandleJournal(object message)
    {
        switch (message)
        {
            case SubmitJournaled:
                _submitQueued = false;
                if (_appender?.HasUnsubmitted == true) _appender.Submit(new JournalWrite(Self, _assignedSequenceNr, _answers.Count == 0 ? null : _answers.ToArray()));
                _answers.Clear();
                return true;
            case JournalOutcome { Failure: { } failure }:
                // The WAL stopped (the journal restarts and rescans it): start over from what it holds.
                _held.FailAll(Errors.Text($"ERR shard {_shardId} restarts after a WAL failure: {OneLine(failure.Message)}"));
                throw new InvalidOperationException($"shard {_shardId}: the WAL stopped", failure);
            case JournalOutcome { Refusal: { } refusal } refused:
                // Writes after the refused one were refused too (the WAL fences this shard): all were taken back at once.
                if (refused.Through > _takenBackThrough) TakeBackUnconfirmed(refusal);
                return true;
            case JournalOutcome written:
                OnDurable(written.Through);
                return true;
            default:
                return false;
        }
    }

    private void OnDurable(long through)
    {
        _durableThrough = Math.Max(_durableThrough, through);
        while (_journaled.TryPeek(out var oldest) && oldest.SequenceNr <= through)
        {
            _journaled.Dequeue();
            switch (oldest.Events)
            {
                case IShardEvent one:
                    Track(one, -1);
                    _eventsSinceSnapshot++;
                    break;
                case IShardEvent[] several:
                    foreach (var e in several) Track(e, -1);
                    _eventsSinceSnapshot += several.Length;
                    break;
            }

            for (var i = 0; i < oldest.Undone; i++) _undoLog.Dequeue();

            // Answered on the WAL's thread already, unless it came after the submit or behind an action.
            oldest.Held?.Complete(oldest.Reply!);
            if (oldest.Then is null) continue;
            _actionsInFlight--;
            oldest.Then();
        }

        MaybeSnapshot();
    }

    // Changes a script or transaction gathered, added to the undo log; how many.
    private int LogUndo(ReadOnlySpan<ShardState.Change> changes)
    {
        foreach (var change in changes) _undoLog.Enqueue(change);
        return changes.Length;
    }

    // A record in flight (Events set: one IShardEvent, or an array of several), or something waiting for the records
    // before it (Events null); Undone counts its changes in the undo log. A struct: the queue holds it inline, so a
    // write costs no object of its own here.
    private readonly record struct Journaled(long SequenceNr, object? Events, int Undone, PendingReplies.Slot? Held, Reply? Reply, Action? Then);

    private sealed class SubmitJournaled
    {
        public static readonly SubmitJournaled Instance = new();
    }

    // The WAL's outcome of one submitted write, told to the shard from the WAL's writer thread.
    private sealed record JournalOutcome(long Through, WalWriteException? Refusal, Exception? Failure);

    private readonly record struct HeldAnswer(PendingReplies.Slot Slot, Reply Reply);

    // Answers the write's replies where it learns they may go, on the WAL's writer thread, rather than after a hop
    // back to the shard: a write's reply waits for one thread hand-off fewer. Their slots make a second answer (the
    // shard's, or the error of a refusal) a no-op.
    private sealed class JournalWrite(IActorRef shard, long through, HeldAnswer[]? answers) : IWalWriteCallback
    {
        public void Durable()
        {
            if (answers is not null)
                foreach (var answer in answers) answer.Slot.Complete(answer.Reply);
            shard.Tell(new JournalOutcome(through, null, null));
        }

        public void Refused(WalWriteException cause) => shard.Tell(new JournalOutcome(through, cause, null));

        public void Failed(Exception cause) => shard.Tell(new JournalOutcome(through, null, cause));
    }
}
