using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using AegisKV.Core.Sharding;
using AegisKV.Core.State;
using AegisKV.Replication;
using AegisKV.Storage.Replication;

namespace AegisKV.Core.Replication;

/// <summary>
/// A shard's replica on a node where it does not lead: it keeps the shard's log durable as the primary sends it
/// (checked appends, cuts of a divergent suffix, snapshots installed in place of a log it lacks), answers view
/// changes, and hands its snapshot to a member that needs one. It keeps no map in memory: the node that leads next
/// recovers the shard from this log.
/// </summary>
public sealed class ShardFollower : ReceiveActor, IWithStash, IReplicaOwner
{
    private readonly int _shardId;
    private readonly IReplicaNetwork _network;
    private readonly ShardSettings _settings;
    private readonly Action<long> _reportGrant;
    private long _reportedGrant = long.MinValue;
    private readonly string _persistenceId;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly HashSet<string> _snapshotsWanted = [];
    private ReplicaShell? _shell;
    private WalReplicaLog? _wal;

    /// <summary>A follower of shard <paramref name="shardId"/>; it tells <paramref name="reportGrant"/> when the lease it granted runs out.</summary>
    public ShardFollower(int shardId, IReplicaNetwork network, ShardSettings settings, Action<long> reportGrant)
    {
        _reportGrant = reportGrant;
        _shardId = shardId;
        _network = network;
        _settings = settings;
        _persistenceId = ShardActor.PersistenceIdOf(shardId);
        Loading();
    }

    /// <inheritdoc />
    public IStash Stash { get; set; } = null!;


    /// <summary>Props for a follower of <paramref name="shardId"/>.</summary>
    public static Props Props(int shardId, IReplicaNetwork network, ShardSettings settings, Action<long> reportGrant) =>
        Akka.Actor.Props.Create(() => new ShardFollower(shardId, network, settings, reportGrant));

    private IActorRef Journal => Persistence.Instance.Apply(Context.System).JournalFor(_settings.JournalPluginId);

    private IActorRef SnapshotStore => Persistence.Instance.Apply(Context.System).SnapshotStoreFor(_settings.SnapshotPluginId);

    /// <inheritdoc />
    protected override void PreStart() =>
        Journal.Ask<WalReplicaLog>(GetReplicaLog.Instance, TimeSpan.FromSeconds(30))
            .ContinueWith(t => t.Result.Flushed().ContinueWith(_ => t.Result)).Unwrap().PipeTo(Self);

    private void Loading()
    {
        Receive<WalReplicaLog>(wal =>
        {
            _wal = wal;
            var codec = new ShardLogCodec(Context.System, _persistenceId);
            // A follower never leads: the group it would ask matters only to the member that does.
            // No timer: a follower only answers, so time passing asks nothing of it.
            _shell = ReplicaShell.Load(_shardId, _network, wal, codec, new GroupConfiguration([_network.Self]), Self, this);
            _reportGrant(_reportedGrant = _shell.Core.GrantedUntil);
            Become(Following);
            Stash.UnstashAll();
        });
        Receive<Status.Failure>(failure => throw new InvalidOperationException($"shard {_shardId}: the WAL is not available to its follower", failure.Cause));
        ReceiveAny(_ => Stash.Stash());
    }

    private void Following()
    {
        Receive<ReplicaMessage>(message =>
        {
            _shell!.Step(message);
            // Reported before this actor can stop: whoever leads here next waits for it, and no longer.
            if (_shell.Core.GrantedUntil != _reportedGrant) _reportGrant(_reportedGrant = _shell.Core.GrantedUntil);
        });
        Receive<ReplicaWritten>(written => _shell!.OnWritten(written));
        Receive<SelectedSnapshot>(OnSnapshotLoaded);
        Receive<LoadSnapshotResult>(result =>
        {
            if (result.Snapshot is { } selected) OnSnapshotLoaded(selected);
            else _snapshotsWanted.Clear();
        });
        Receive<LoadSnapshotFailed>(failed =>
        {
            _log.Warning("Shard {0}: could not load its snapshot for a member that needs it: {1}", _shardId, failed.Cause.Message);
            _snapshotsWanted.Clear();
        });
    }

    /// <inheritdoc />
    public void Committed(long commit)
    {
    }

    /// <inheritdoc />
    public void RoleChanged(ReplicaRole role)
    {
    }

    /// <inheritdoc />
    public void SnapshotWanted(string member)
    {
        // Only a snapshot this replica installed can be what its log was compacted behind.
        if (_snapshotsWanted.Add(member) && _snapshotsWanted.Count == 1)
            SnapshotStore.Tell(new LoadSnapshot(_persistenceId, SnapshotSelectionCriteria.Latest, long.MaxValue));
    }

    private void OnSnapshotLoaded(SelectedSnapshot selected)
    {
        var sequence = selected.Metadata.SequenceNr;
        var core = _shell!.Core;
        if (selected.Snapshot is ShardSnapshot snapshot && sequence >= core.Log.BaseSequence && sequence <= core.Commit)
        {
            var payload = Context.System.Serialization.FindSerializerFor(snapshot).ToBinary(snapshot);
            foreach (var member in _snapshotsWanted) _shell.SendSnapshot(member, sequence, payload);
        }

        _snapshotsWanted.Clear();
    }

    /// <inheritdoc />
    public Task InstallAsync(SnapshotImage image) => InstallAsync(Context.System, SnapshotStore, _wal!, _persistenceId, image);

    /// <summary>
    /// Writes <paramref name="image"/> as the shard's snapshot, then resets its log to end at the image's base: a
    /// crash in between leaves the old log, whose replay the snapshot does not match, and the primary sends it again.
    /// </summary>
    internal static async Task InstallAsync(ActorSystem system, IActorRef snapshotStore, WalReplicaLog wal, string persistenceId, SnapshotImage image)
    {
        var snapshot = (ShardSnapshot)system.Serialization.FindSerializerForType(typeof(ShardSnapshot)).FromBinary(image.Payload.ToArray(), typeof(ShardSnapshot));
        await snapshotStore.Ask<SaveSnapshotSuccess>(new SaveSnapshot(new SnapshotMetadata(persistenceId, image.Base.Sequence, DateTime.UtcNow), snapshot),
            TimeSpan.FromMinutes(1)).ConfigureAwait(false);
        await wal.Reset(persistenceId, image.Base.Sequence, image.Base.Epoch).ConfigureAwait(false);
    }

}
