using Akka.Actor;
using Akka.Persistence;
using AegisKV.Core.State;

namespace AegisKV.Core.Sharding;

/// <summary>
/// Makes a handed-off state this node's copy of the shard, durably, before the shard runs here: without
/// replaying the old local copy it learns the highest sequence number, journals a marker above it, saves the
/// state as a snapshot at the marker (so recovery starts there and skips everything older), then drops the older
/// events and snapshots and answers the sender. A crash at any point leaves the old copy or the new one.
/// </summary>
internal sealed class ShardInstaller : UntypedPersistentActor
{
    private readonly long _epoch;
    private readonly ShardSnapshot _snapshot;
    private readonly IActorRef _replyTo;
    private readonly int _shardId;

    public ShardInstaller(int shardId, long epoch, ShardSnapshot snapshot, ShardSettings settings, IActorRef replyTo)
    {
        _shardId = shardId;
        _epoch = epoch;
        _snapshot = snapshot;
        _replyTo = replyTo;
        PersistenceId = ShardActor.PersistenceIdOf(shardId);
        JournalPluginId = settings.JournalPluginId;
        SnapshotPluginId = settings.SnapshotPluginId;
    }

    public override string PersistenceId { get; }

    public override Recovery Recovery => Recovery.None;

    public static Props Props(int shardId, long epoch, ShardSnapshot snapshot, ShardSettings settings, IActorRef replyTo) =>
        Akka.Actor.Props.Create(() => new ShardInstaller(shardId, epoch, snapshot, settings, replyTo));

    protected override void OnRecover(object message)
    {
        if (message is RecoveryCompleted) Persist(new EpochStarted(_epoch), _ => SaveSnapshot(_snapshot));
    }

    protected override void OnCommand(object message)
    {
        switch (message)
        {
            case SaveSnapshotSuccess saved:
                DeleteMessages(saved.Metadata.SequenceNr);
                DeleteSnapshots(new SnapshotSelectionCriteria(saved.Metadata.SequenceNr - 1));
                _replyTo.Tell(new HandoffInstalled(_shardId));
                Context.Stop(Self);
                break;
            case SaveSnapshotFailure failed:
                _replyTo.Tell(new HandoffRefused(_shardId, "the state could not be saved: " + failed.Cause.Message));
                Context.Stop(Self);
                break;
        }
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        _replyTo.Tell(new HandoffRefused(_shardId, "the journal refused the hand-off: " + cause.Message));
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        _replyTo.Tell(new HandoffRefused(_shardId, "the journal refused the hand-off: " + cause.Message));
        Context.Stop(Self);
    }
}
