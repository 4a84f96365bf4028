using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using AegisKV.Core.Commands;
using AegisKV.Core.Replies;
using AegisKV.Core.State;
using AegisKV.Storage;

namespace AegisKV.Core.Sharding;

/// <summary>
/// One AegisKV shard: a persistent actor whose journal is the node's WAL. Commands run in
/// arrival order against the in-memory map. A write's events are applied at once and persisted
/// with <c>PersistAsync</c>, so writes arriving while the journal flushes go out together in its
/// next group commit; the writer is answered once its events are durable. A read that touches a
/// key with a write still in flight is answered only after that write is durable, so no client
/// ever sees a value that a crash could take back. With replication the shard leads its replica
/// group instead, and "durable" becomes "committed" (ShardActor.Replication.cs, ADR 0014).
/// </summary>
public sealed partial class ShardActor : UntypedPersistentActor, IWithTimers
{
    private readonly int _shardId;
    private readonly ShardSettings _settings;
    private readonly NodeMemory _memory;
    private readonly LocalShards? _localShards;
    private readonly ShardPeers? _peers;
    private readonly CoreMetrics? _metrics;
    private readonly ShardState _state;
    private readonly Dictionary<byte[], int> _pendingKeys = new(ByteKeyComparer.Instance);
    private readonly List<IShardEvent> _events = new(4);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Stopwatch _recovery = Stopwatch.StartNew();
    private readonly PendingReplies _held = new();
    private int _pendingWrites;
    private int _pendingClears;
    private long _assignedSequenceNr;
    private long _takenBackThrough;
    private bool _epochDurable;
    private bool _epochStarting;
    private TimeSpan _epochRetry = TimeSpan.FromSeconds(1);
    private long _lastTakeBackLog;
    private long _eventsSinceSnapshot;
    private long _latestSnapshotSequenceNr;
    private bool _snapshotInProgress;
    private bool _stopAfterSnapshot;

    /// <summary>
    /// Creates the actor for shard <paramref name="shardId"/>; it counts on <paramref name="metrics"/>, sends keyspace
    /// notifications to <paramref name="notifications"/> and runs EVAL with <paramref name="scripts"/>, when given.
    /// </summary>
    public ShardActor(int shardId, ShardSettings settings, NodeMemory memory, LocalShards? localShards = null, ShardPeers? peers = null, CoreMetrics? metrics = null,
        KeyspaceEvents? notifications = null, Scripting.IScriptEngine? scripts = null)
    {
        _scripts = scripts;
        _peers = peers;
        _metrics = metrics;
        _shardId = shardId;
        _settings = settings;
        _memory = memory;
        _localShards = localShards;
        _state = new ShardState(memory, metrics, notifications);
        PersistenceId = PersistenceIdOf(shardId);
        JournalPluginId = settings.JournalPluginId;
        SnapshotPluginId = settings.SnapshotPluginId;
    }

    /// <inheritdoc />
    public override string PersistenceId { get; }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>The persistence id of shard <paramref name="shardId"/>.</summary>
    public static string PersistenceIdOf(int shardId) => "shard-" + shardId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Props for the shard actor; <paramref name="entityId"/> is the shard number.</summary>
    public static Props Props(string entityId, ShardSettings settings, NodeMemory memory, LocalShards? localShards = null, ShardPeers? peers = null,
        CoreMetrics? metrics = null, KeyspaceEvents? notifications = null, Scripting.IScriptEngine? scripts = null) =>
        // Made by a plain delegate: Props.Create's expression tree is compiled, argument by argument, for every shard started.
        Akka.Actor.Props.CreateBy(new Producer(() => new ShardActor(int.Parse(entityId, System.Globalization.CultureInfo.InvariantCulture), settings, memory,
            localShards, peers, metrics, notifications, scripts)));

    private sealed class Producer(Func<ShardActor> create) : IIndirectActorProducer
    {
        public Type ActorType => typeof(ShardActor);

        public ActorBase Produce() => create();

        public void Release(ActorBase actor)
        {
        }
    }

    /// <inheritdoc />
    protected override void OnRecover(object message)
    {
        switch (message)
        {
            case SnapshotOffer { Snapshot: ShardSnapshot snapshot } offer:
                _state.Load(snapshot);
                _latestSnapshotSequenceNr = offer.Metadata.SequenceNr;
                break;
            case IShardEvent e:
                _state.Apply(e);
                _eventsSinceSnapshot++;
                break;
            case RecoveryCompleted:
                _assignedSequenceNr = LastSequenceNr;
                if (!IsReplicated) OpenAppender();
                _metrics?.RecoverySeconds.Record(_recovery.Elapsed.TotalSeconds);
                _log.Debug("Shard {0} recovered {1} keys in {2} ms", _shardId, _state.Count, _recovery.ElapsedMilliseconds);
                if (_peers is null) StartServing(0);
                else if (IsReplicated) BeginReplicated();
                else Claim();
                break;
        }
    }

    /// <inheritdoc />
    protected override void OnCommand(object message)
    {
        if (HandleJournal(message)) return;
        if (_epochStarting)
        {
            // As a Persist would: nothing runs before the new epoch is durable (or refused).
            Stash.Stash();
            return;
        }

        switch (message)
        {
            case CheckBlockedClients:
                CheckBlocked();
                return;
            case CancelBlocked cancel:
                CancelBlocked(cancel);
                return;
        }

        if (IsReplicated && HandleReplication(message)) return;
        if (_mode != ShardMode.Serving && HandleUnlessServing(message)) return;
        switch (message)
        {
            case ShardBatch { Atomic: true } transaction:
                Transact(transaction);
                break;
            case ShardBatch batch:
                _currentRequestId = batch.RequestId;
                var replies = new BatchReply(Sender, batch.RequestId, batch.Commands.Length);
                for (var i = 0; i < batch.Commands.Length; i++) Handle(batch.Commands[i].Command, batch.Commands[i].Arguments, replies, i);
                break;
            case SweepExpired when _shell is not null:
                SweepReplicated();
                break;
            case SweepExpired:
                var removed = _state.RemoveExpired(NowMs(), _settings.ExpirySweepLimit);
                if (removed > 0)
                {
                    _memory.AddExpired(removed);
                    _metrics?.ExpiredKeys.Add(removed);
                }

                // Over the limit with no write here to make room (the limit was lowered, or other shards
                // grew): this shard gives back its share of keys.
                if (_memory.IsOver && _memory.Policy != EvictionPolicy.NoEviction && _epochDurable) EvictInBackground();
                break;
            case RecoverShard:
                Sender.Tell(new ShardRecovered(_shardId, _state.Count, _state.Epoch));
                break;
            case GetShardStats:
                Sender.Tell(new ShardStats(_shardId, _state.Count, _state.UsedBytes, _state.Epoch, _mode, ReplicationLag));
                break;
            case ExportShard:
                Sender.Tell(new ShardExported(_shardId, _state.ToSnapshot()));
                break;
            case RetryEpoch:
                StartEpoch();
                break;
            case SaveSnapshotSuccess saved:
                EndSnapshot();
                _metrics?.Snapshots.Add(1);
                // Compact behind the previous snapshot, not the new one: should the new snapshot
                // turn out unreadable, recovery falls back to the previous one plus the WAL after it.
                var previous = _latestSnapshotSequenceNr;
                _latestSnapshotSequenceNr = saved.Metadata.SequenceNr;
                if (previous > 0)
                {
                    Journal.Tell(new DeleteMessagesTo(PersistenceId, previous, Self));
                    DeleteSnapshots(new SnapshotSelectionCriteria(previous - 1));
                }

                if (_stopAfterSnapshot) Context.Stop(Self);
                break;
            case SaveSnapshotFailure failed:
                EndSnapshot();
                _log.Warning(failed.Cause, "Shard {0} could not save a snapshot; will retry after more writes", _shardId);
                if (_stopAfterSnapshot) Context.Stop(Self);
                break;
            case StopAfterSnapshot:
                Context.Stop(Self);
                break;
            case DeleteMessagesFailure deleteFailed:
                _log.Warning(deleteFailed.Cause, "Shard {0} could not compact its WAL", _shardId);
                break;
            case DeleteMessagesSuccess:
            case DeleteSnapshotsSuccess:
            case DeleteSnapshotsFailure:
                break;
            case StopShard when IsReplicated:
                StandDownReplicated();
                break;
            case StopShard:
                StartHandoff();
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void EvictInBackground()
    {
        _events.Clear();
        if (_state.EvictWhileOver(NowMs(), _settings.ExpirySweepLimit, _events) == 0) return;
        if (_shell is not null)
        {
            Replicate(_events, NoReply.Instance, 0, Reply.Ok, waits: false);
            return;
        }

        JournalEvents(_events, _state.MoveUndoTo(_undoLog));
    }

    // Serving starts with a new epoch (custody's when it granted one), written before any command runs.
    private void StartServing(long epoch)
    {
        _localShards?.Serving(_shardId, Self);
        StartEpoch(epoch);
        Timers.StartPeriodicTimer("expiry", SweepExpired.Instance, _settings.ExpirySweepInterval);
    }

    // A new incarnation gets a higher epoch; commands wait (stashed) until it is durable. If the WAL
    // refuses it, the shard serves reads and tries again later.
    private void StartEpoch(long atLeast = 0)
    {
        var next = _state.NextEpoch();
        var started = next.Epoch >= atLeast ? next : new EpochStarted(atLeast);
        _epochStarting = true;
        JournalEvents([started], undone: 0, then: () =>
        {
            _state.Apply(started);
            _epochDurable = true;
            EndEpochStart();
        });
    }

    private void EndEpochStart()
    {
        if (!_epochStarting) return;
        _epochStarting = false;
        Stash.UnstashAll();
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");

    /// <inheritdoc />
    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        var corrupt = reason is WalCorruptionException || reason.InnerException is WalCorruptionException
                      || (reason is AggregateException aggregate && aggregate.InnerExceptions.Any(e => e is WalCorruptionException));
        // A replicated shard's damaged copy is discarded as the node starts (DamagedCopies): it recovers empty next time.
        if (corrupt && !IsReplicated)
        {
            _log.Error("Shard {0} refuses to serve: {1}", _shardId, reason.Message);
            _localShards?.Refusing(_shardId, reason.Message);
        }
        else
        {
            _localShards?.RecoveryFailed(_shardId, reason.Message);
            base.OnRecoveryFailure(reason, message);
        }
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        _localShards?.Leaving(_shardId, Self);
        _localShards?.WaitingForCluster(_shardId, null);
        LeaveReplicated();
        ReleaseAllBlocked();
        StopScripts();
        _state.Release();
        EndSnapshot();
        base.PostStop();
    }

    private void Handle(CommandId command, byte[][] arguments, IReplyTarget target, int index)
    {
        var spec = CommandTable.Get(command);
        if (_shell is not null && Unready(spec.Flags) is { } refusal)
        {
            target.Complete(index, refusal);
            return;
        }

        _events.Clear();
        ShardState.Change[]? undo = null;
        var reply = spec.Routing == CommandRouting.Script ? RunScript(command, arguments, out undo) : _state.Execute(command, arguments, NowMs(), _events);
        if (ReferenceEquals(reply, ShardState.Blocked))
        {
            Block(command, arguments, target, index);
            return;
        }

        if (_blocked.Count == 0 || _events.Count == 0)
        {
            Finish(spec, arguments, reply, target, index, undo);
            return;
        }

        var written = _events.ToArray();
        Finish(spec, arguments, reply, target, index, undo);
        ServeBlocked(written);
    }

    // Makes a command's events (in _events) durable, or replicates them, and answers once they are. A script's
    // events come with what they replaced, gathered over its commands.
    private void Finish(CommandSpec spec, byte[][] arguments, Reply reply, IReplyTarget target, int index, ShardState.Change[]? undo = null)
    {
        if (_shell is not null)
        {
            Replicate(_events, target, index, reply, _pendingWrites > 0 && TouchesPending(spec, arguments));
            return;
        }

        if (_events.Count == 0)
        {
            if (_pendingWrites > 0 && TouchesPending(spec, arguments)) AfterWrites(_held.Add(target, index), reply);
            else target.Complete(index, reply);
            return;
        }

        JournalEvents(_events, undo is null ? _state.MoveUndoTo(_undoLog) : LogUndo(undo), _held.Add(target, index), reply);
    }

    private void MarkPending(IShardEvent e) => Track(e, 1);

    // Counts the keys (or the whole shard) an event touches as in flight (+1) or durable (-1).
    private void Track(IShardEvent e, int delta)
    {
        _pendingWrites += delta;
        switch (e)
        {
            case IKeyEvent changed:
                Pend(changed.Key, delta);
                break;
            case KeysDeleted deleted:
                foreach (var key in deleted.Keys) Pend(key, delta);
                break;
            case ShardCleared:
                _pendingClears += delta;
                break;
        }
    }

    private void Pend(byte[] key, int delta)
    {
        ref var count = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_pendingKeys, key, out _);
        count += delta;
        if (count == 0) _pendingKeys.Remove(key);
    }

    private bool TouchesPending(CommandSpec spec, byte[][] arguments)
    {
        // A script may read any key of the shard.
        if (_pendingClears > 0 || spec.Routing is CommandRouting.AllShards or CommandRouting.Script) return true;
        if (spec.Routing == CommandRouting.SingleKey) return _pendingKeys.ContainsKey(arguments[0]);
        foreach (var key in arguments)
            if (_pendingKeys.ContainsKey(key)) return true;
        return false;
    }

    private static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private sealed class SweepExpired
    {
        public static readonly SweepExpired Instance = new();
    }

    private sealed class RetryEpoch
    {
        public static readonly RetryEpoch Instance = new();
    }
}
