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
/// changes, and applies what is committed to a map of its own, which counts against the node's memory. Like a
/// primary it snapshots that map and compacts its WAL behind the snapshot before last, and hands a snapshot to a
/// member that needs one.
/// </summary>
public sealed class ShardFollower : ReceiveActor, IWithStash, IReplicaOwner
{
    private readonly int _shardId;
    private readonly IReplicaNetwork _network;
    private readonly ShardSettings _settings;
    private readonly NodeMemory _memory;
    private readonly Action<long> _reportGrant;
    private readonly string _persistenceId;
    private readonly ShardState _state;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly HashSet<string> _snapshotsWanted = [];
    private ReplicaShell? _shell;
    private ShardLogCodec? _codec;
    private WalReplicaLog? _wal;
    private long _reportedGrant = long.MinValue;
    private long _applied;
    private long _latestSnapshot;
    private long _sinceSnapshot;
    private bool _snapshotting;

    /// <summary>A follower of shard <paramref name="shardId"/>; it tells <paramref name="reportGrant"/> when the lease it granted runs out.</summary>
    public ShardFollower(int shardId, IReplicaNetwork network, ShardSettings settings, NodeMemory memory, Action<long> reportGrant)
    {
        _reportGrant = reportGrant;
        _shardId = shardId;
        _network = network;
        _settings = settings;
        _memory = memory;
        _state = new ShardState(memory);
        _persistenceId = ShardActor.PersistenceIdOf(shardId);
        Loading();
    }

    /// <inheritdoc />
    public IStash Stash { get; set; } = null!;

    /// <summary>Props for a follower of <paramref name="shardId"/>.</summary>
    public static Props Props(int shardId, IReplicaNetwork network, ShardSettings settings, NodeMemory memory, Action<long> reportGrant) =>
        Akka.Actor.Props.Create(() => new ShardFollower(shardId, network, settings, memory, reportGrant));

    private IActorRef Journal => Persistence.Instance.Apply(Context.System).JournalFor(_settings.JournalPluginId);

    private IActorRef SnapshotStore => Persistence.Instance.Apply(Context.System).SnapshotStoreFor(_settings.SnapshotPluginId);

    /// <inheritdoc />
    protected override void PreStart()
    {
        var snapshotStore = SnapshotStore;
        var persistenceId = _persistenceId;
        Journal.Ask<WalReplicaLog>(GetReplicaLog.Instance, TimeSpan.FromSeconds(30))
            .ContinueWith(async t =>
            {
                await t.Result.Flushed().ConfigureAwait(false);
                var loaded = await snapshotStore.Ask<LoadSnapshotResult>(new LoadSnapshot(persistenceId, SnapshotSelectionCriteria.Latest, long.MaxValue),
                    TimeSpan.FromSeconds(60)).ConfigureAwait(false);
                return new Loaded(t.Result, loaded.Snapshot);
            }).Unwrap().PipeTo(Self);
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        _state.Release();
        if (_snapshotting) _memory.SnapshotDone();
    }

    private void Loading()
    {
        Receive<Loaded>(loaded =>
        {
            _wal = loaded.Log;
            _codec = new ShardLogCodec(Context.System, _persistenceId);
            if (loaded.Snapshot is { Snapshot: ShardSnapshot snapshot } selected)
            {
                _state.Load(snapshot);
                _applied = _latestSnapshot = selected.Metadata.SequenceNr;
            }

            // A follower never leads: the group it would ask matters only to the member that does. No timer either: a
            // follower only answers, so time passing asks nothing of it.
            _shell = ReplicaShell.Load(_shardId, _network, loaded.Log, _codec, new GroupConfiguration([_network.Self]), Self, this);
            if (_shell.Core.Log.BaseSequence > _applied)
                throw new InvalidOperationException($"shard {_shardId}: its log starts after {_shell.Core.Log.BaseSequence}, past its snapshot at {_applied}");
            _shell.Core.SnapshotHeld(_applied);
            _shell.Flush();
            _reportGrant(_reportedGrant = _shell.Core.GrantedUntil);
            Become(Following);
            Stash.UnstashAll();
        });
        Receive<Status.Failure>(failure => throw new InvalidOperationException($"shard {_shardId}: its follower could not load the WAL or its snapshot", failure.Cause));
        ReceiveAny(_ => Stash.Stash());
    }

    private void Following()
    {
        Receive<ReplicaMessage>(message =>
        {
            // Followers cannot refuse what they are sent: the primary refuses writes that need memory instead.
            _shell!.Core.Full = _memory.IsOver;
            _shell.Step(message);
            // Reported before this actor can stop: whoever leads here next waits for it, and no longer.
            if (_shell.Core.GrantedUntil != _reportedGrant) _reportGrant(_reportedGrant = _shell.Core.GrantedUntil);
        });
        Receive<ReplicaWritten>(written => _shell!.OnWritten(written));
        Receive<GetCopyState>(_ => Sender.Tell(CopyState.Of(_shardId, _shell!.Core, serving: false, ReplicaShell.Now)));
        Receive<SaveSnapshotSuccess>(saved => CompactBehind(saved.Metadata.SequenceNr));
        Receive<SaveSnapshotFailure>(failed =>
        {
            EndSnapshot();
            _log.Warning("Shard {0}: its follower could not save a snapshot ({1}); it tries again later", _shardId, failed.Cause.Message);
        });
        Receive<DeleteMessagesSuccess>(_ => { });
        Receive<DeleteMessagesFailure>(failed => _log.Warning("Shard {0}: its follower could not compact its WAL: {1}", _shardId, failed.Cause.Message));
        Receive<DeleteSnapshotsSuccess>(_ => { });
        Receive<DeleteSnapshotsFailure>(_ => { });
    }

    /// <inheritdoc />
    public void Committed(long commit)
    {
        var log = _shell!.Core.Log;
        for (var sequence = _applied + 1; sequence <= commit && sequence <= log.LastSequence; sequence++)
        {
            var entry = log[sequence];
            if (entry.Kind == EntryKind.Data)
            {
                _state.Apply(_codec!.Event(entry.Payload.Span));
                _sinceSnapshot++;
            }

            _applied = sequence;
        }

        MaybeSnapshot();
        SendWantedSnapshots();
    }

    /// <inheritdoc />
    public void RoleChanged(ReplicaRole role)
    {
    }

    /// <inheritdoc />
    public void SnapshotWanted(string member)
    {
        _snapshotsWanted.Add(member);
        SendWantedSnapshots();
    }

    // The map is a snapshot at a committed position once it holds everything committed and nothing else.
    private void SendWantedSnapshots()
    {
        var core = _shell!.Core;
        if (_snapshotsWanted.Count == 0 || _applied != core.Commit || _applied < core.Log.BaseSequence) return;
        var snapshot = _state.ToSnapshot();
        var payload = Context.System.Serialization.FindSerializerFor(snapshot).ToBinary(snapshot);
        foreach (var member in _snapshotsWanted) _shell.SendSnapshot(member, _applied, payload);
        _snapshotsWanted.Clear();
    }

    private void MaybeSnapshot()
    {
        if (_snapshotting || _sinceSnapshot < _settings.SnapshotEvery || !_memory.TryStartSnapshot()) return;
        _snapshotting = true;
        _sinceSnapshot = 0;
        SnapshotStore.Tell(new SaveSnapshot(new SnapshotMetadata(_persistenceId, _applied, DateTime.UtcNow), _state.ToSnapshot()));
    }

    // As a primary does: the WAL goes behind the previous snapshot, should the new one turn out unreadable.
    private void CompactBehind(long snapshotSequence)
    {
        EndSnapshot();
        var previous = _latestSnapshot;
        _latestSnapshot = snapshotSequence;
        if (previous <= _shell!.Core.Log.BaseSequence || previous > _shell.Core.Commit) return;
        _shell.Core.Compact(previous);
        Journal.Tell(new DeleteMessagesTo(_persistenceId, previous, Self));
        SnapshotStore.Tell(new DeleteSnapshots(_persistenceId, new SnapshotSelectionCriteria(previous - 1)));
    }

    private void EndSnapshot()
    {
        if (!_snapshotting) return;
        _snapshotting = false;
        _memory.SnapshotDone();
    }

    /// <inheritdoc />
    public Func<Task> Install(SnapshotImage image)
    {
        var snapshot = Decode(Context.System, image);
        _state.Load(snapshot);
        _applied = image.Base.Sequence;
        _sinceSnapshot = 0;
        _latestSnapshot = image.Base.Sequence;
        var (snapshotStore, wal, persistenceId) = (SnapshotStore, _wal!, _persistenceId);
        return () => InstallAsync(snapshotStore, wal, persistenceId, image.Base, snapshot);
    }

    /// <summary>
    /// Writes <paramref name="snapshot"/> as the shard's snapshot, then resets its log to end at <paramref name="at"/>: a
    /// crash in between leaves the old log, whose replay the snapshot does not match, and the primary sends it again.
    /// </summary>
    internal static async Task InstallAsync(IActorRef snapshotStore, WalReplicaLog wal, string persistenceId, SnapshotBase at, ShardSnapshot snapshot)
    {
        await snapshotStore.Ask<SaveSnapshotSuccess>(new SaveSnapshot(new SnapshotMetadata(persistenceId, at.Sequence, DateTime.UtcNow), snapshot),
            TimeSpan.FromMinutes(1)).ConfigureAwait(false);
        await wal.Reset(persistenceId, at.Sequence, at.Epoch).ConfigureAwait(false);
    }

    /// <summary>The shard snapshot an image carries.</summary>
    internal static ShardSnapshot Decode(ActorSystem system, SnapshotImage image)
    {
        // Images are written by the shard serializer, whose snapshots carry a manifest of their own.
        var serializer = (Akka.Serialization.SerializerWithStringManifest)system.Serialization.FindSerializerForType(typeof(ShardSnapshot));
        return (ShardSnapshot)serializer.FromBinary(image.Payload.ToArray(), Serialization.ShardMessageSerializer.SnapshotManifest);
    }

    private sealed record Loaded(WalReplicaLog Log, SelectedSnapshot? Snapshot);
}
