using Akka.Actor;
using Akka.Persistence;

namespace AegisKV.Storage.Tests;

/// <summary>A persistent actor that records strings; its snapshot is the list joined by a separator.</summary>
public sealed class EventLogActor : ReceivePersistentActor
{
    private const char Separator = '\u001f';
    private readonly IActorRef? _monitor;
    private List<string> _events = [];
    private IActorRef? _snapshotReplyTo;
    private IActorRef? _deleteReplyTo;
    private IActorRef? _rejectReplyTo;

    public EventLogActor(string persistenceId, IActorRef? monitor)
    {
        PersistenceId = persistenceId;
        _monitor = monitor;

        Recover<SnapshotOffer>(offer => _events = [.. ((string)offer.Snapshot).Split(Separator, StringSplitOptions.RemoveEmptyEntries)]);
        Recover<string>(e => _events.Add(e));
        Recover<RecoveryCompleted>(_ => _monitor?.Tell(new Recovered(PersistenceId, [.. _events], LastSequenceNr)));

        Command<Append>(append => Persist(append.Event, e =>
        {
            _events.Add(e);
            Sender.Tell(new Appended(LastSequenceNr));
        }));
        Command<AppendObject>(append =>
        {
            _rejectReplyTo = Sender;
            Persist(append.Event, _ => Sender.Tell(new Appended(LastSequenceNr)));
        });
        Command<AppendAll>(append =>
        {
            var remaining = append.Events.Count;
            PersistAll(append.Events, e =>
            {
                _events.Add(e);
                if (--remaining == 0)
                    Sender.Tell(new Appended(LastSequenceNr));
            });
        });
        Command<GetEvents>(_ => Sender.Tell(new Events([.. _events], LastSequenceNr)));
        Command<TakeSnapshot>(_ =>
        {
            _snapshotReplyTo = Sender;
            SaveSnapshot(string.Join(Separator, _events));
        });
        Command<SaveSnapshotSuccess>(success => _snapshotReplyTo?.Tell(success.Metadata.SequenceNr));
        Command<SaveSnapshotFailure>(failure => _snapshotReplyTo?.Tell(new Status.Failure(failure.Cause)));
        Command<DeleteTo>(delete =>
        {
            _deleteReplyTo = Sender;
            DeleteMessages(delete.SequenceNr);
        });
        Command<DeleteSnapshotsTo>(delete =>
        {
            _deleteReplyTo = Sender;
            DeleteSnapshots(new SnapshotSelectionCriteria(delete.SequenceNr));
        });
        Command<DeleteSnapshotsSuccess>(success => _deleteReplyTo?.Tell(success.Criteria.MaxSequenceNr));
        Command<DeleteMessagesSuccess>(success => _deleteReplyTo?.Tell(success.ToSequenceNr));
        Command<DeleteMessagesFailure>(failure => _deleteReplyTo?.Tell(new Status.Failure(failure.Cause)));
    }

    public override string PersistenceId { get; }

    public static Props Props(string persistenceId, IActorRef? monitor = null) => Akka.Actor.Props.Create(() => new EventLogActor(persistenceId, monitor));

    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        _monitor?.Tell(new RecoveryFailed(PersistenceId, reason));
        base.OnRecoveryFailure(reason, message);
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        _rejectReplyTo?.Tell(new Rejected(sequenceNr, cause));
        base.OnPersistRejected(cause, @event, sequenceNr);
    }

    public sealed record Rejected(long SequenceNr, Exception Cause);

    public sealed record Append(string Event);

    public sealed record AppendObject(object Event);

    public sealed record AppendAll(IReadOnlyList<string> Events);

    public sealed record Appended(long SequenceNr);

    public sealed record GetEvents
    {
        public static GetEvents Instance { get; } = new();
    }

    public sealed record Events(IReadOnlyList<string> Items, long LastSequenceNr);

    public sealed record TakeSnapshot
    {
        public static TakeSnapshot Instance { get; } = new();
    }

    public sealed record DeleteTo(long SequenceNr);

    public sealed record DeleteSnapshotsTo(long SequenceNr);

    public sealed record Recovered(string PersistenceId, IReadOnlyList<string> Events, long LastSequenceNr);

    public sealed record RecoveryFailed(string PersistenceId, Exception Cause);
}
