using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using AegisKV.Core.Commands;
using AegisKV.Core.Replies;
using AegisKV.Core.State;

namespace AegisKV.Core.Sharding;

/// <summary>
/// One AegisKV shard: a persistent actor whose journal is the node's WAL. Commands run in
/// arrival order against the in-memory map. A write's events are applied at once and persisted
/// with <c>PersistAsync</c>, so writes arriving while the journal flushes go out together in its
/// next group commit; the writer is answered once its events are durable. A read that touches a
/// key with a write still in flight is answered only after that write is durable, so no client
/// ever sees a value that a crash could take back.
/// </summary>
public sealed class ShardActor : UntypedPersistentActor, IWithTimers
{
    private readonly int _shardId;
    private readonly ShardSettings _settings;
    private readonly NodeMemory _memory;
    private readonly LocalShards? _localShards;
    private readonly ShardState _state;
    private readonly Dictionary<byte[], int> _pendingKeys = new(ByteKeyComparer.Instance);
    private readonly List<IShardEvent> _events = new(4);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Stopwatch _recovery = Stopwatch.StartNew();
    private readonly Action<IShardEvent> _written;
    private int _pendingWrites;
    private int _pendingClears;
    private long _eventsSinceSnapshot;
    private long _latestSnapshotSequenceNr;
    private bool _snapshotInProgress;

    /// <summary>Creates the actor for shard <paramref name="shardId"/>.</summary>
    public ShardActor(int shardId, ShardSettings settings, NodeMemory memory, LocalShards? localShards = null)
    {
        _shardId = shardId;
        _settings = settings;
        _memory = memory;
        _localShards = localShards;
        _state = new ShardState(memory);
        _written = Written;
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
    public static Props Props(string entityId, ShardSettings settings, NodeMemory memory, LocalShards? localShards = null) =>
        Akka.Actor.Props.Create(() => new ShardActor(int.Parse(entityId, System.Globalization.CultureInfo.InvariantCulture), settings, memory, localShards));

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
                // A new incarnation gets a higher epoch; commands wait (stashed) until it is durable.
                Persist(_state.NextEpoch(), e =>
                {
                    _state.Apply(e);
                    _localShards?.Serving(_shardId, Self);
                    CoreMetrics.RecoverySeconds.Record(_recovery.Elapsed.TotalSeconds);
                    _log.Debug("Shard {0} recovered {1} keys in {2} ms, epoch {3}", _shardId, _state.Count, _recovery.ElapsedMilliseconds, _state.Epoch);
                });
                Timers.StartPeriodicTimer("expiry", SweepExpired.Instance, _settings.ExpirySweepInterval);
                break;
        }
    }

    /// <inheritdoc />
    protected override void OnCommand(object message)
    {
        switch (message)
        {
            case ShardRequest request:
                Handle(request.Command, request.Arguments, new SingleReply(Sender), 0);
                break;
            case ShardBatch batch:
                var replies = new BatchReply(Sender, batch.RequestId, batch.Commands.Length);
                for (var i = 0; i < batch.Commands.Length; i++) Handle(batch.Commands[i].Command, batch.Commands[i].Arguments, replies, i);
                break;
            case SweepExpired:
                var removed = _state.RemoveExpired(NowMs(), _settings.ExpirySweepLimit);
                if (removed > 0)
                {
                    _memory.AddExpired(removed);
                    CoreMetrics.ExpiredKeys.Add(removed);
                }

                break;
            case RecoverShard:
                Sender.Tell(new ShardRecovered(_shardId, _state.Count, _state.Epoch));
                break;
            case SaveSnapshotSuccess saved:
                _snapshotInProgress = false;
                CoreMetrics.Snapshots.Add(1);
                // Compact behind the previous snapshot, not the new one: should the new snapshot
                // turn out unreadable, recovery falls back to the previous one plus the WAL after it.
                var previous = _latestSnapshotSequenceNr;
                _latestSnapshotSequenceNr = saved.Metadata.SequenceNr;
                if (previous > 0)
                {
                    DeleteMessages(previous);
                    DeleteSnapshots(new SnapshotSelectionCriteria(previous - 1));
                }

                break;
            case SaveSnapshotFailure failed:
                _snapshotInProgress = false;
                _log.Warning(failed.Cause, "Shard {0} could not save a snapshot; will retry after more writes", _shardId);
                break;
            case DeleteMessagesFailure deleteFailed:
                _log.Warning(deleteFailed.Cause, "Shard {0} could not compact its WAL", _shardId);
                break;
            case DeleteMessagesSuccess:
            case DeleteSnapshotsSuccess:
            case DeleteSnapshotsFailure:
                break;
            case StopShard:
                // Hand-off: new requests go through the region (which buffers them), the writes
                // in flight finish, then the actor stops.
                _localShards?.Leaving(_shardId, Self);
                DeferAsync(message, _ => Context.Stop(Self));
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    /// <inheritdoc />
    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        // The event is already applied in memory but will never be durable: start over from the
        // WAL rather than serve (or later snapshot) a value that does not exist on disk.
        _log.Error(cause, "Shard {0}: the journal rejected event {1}; restarting from the WAL", _shardId, sequenceNr);
        throw new InvalidOperationException($"shard {_shardId}: persist of event {sequenceNr} rejected", cause);
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        _localShards?.Leaving(_shardId, Self);
        _state.Release();
        base.PostStop();
    }

    private void Handle(CommandId command, byte[][] arguments, IReplyTarget target, int index)
    {
        var spec = CommandTable.Get(command);
        if ((spec.Flags & CommandFlags.DenyOom) != 0 && _memory.WouldExceed(ArgumentBytes(arguments) + NodeMemory.EntryOverhead))
        {
            CoreMetrics.OutOfMemoryRefusals.Add(1);
            target.Complete(index, Errors.OutOfMemory);
            return;
        }

        _events.Clear();
        var reply = _state.Execute(command, arguments, NowMs(), _events);
        if (_events.Count == 0)
        {
            if (_pendingWrites > 0 && TouchesPending(spec, arguments)) DeferAsync(reply, r => target.Complete(index, r));
            else target.Complete(index, reply);
            return;
        }

        foreach (var e in _events) MarkPending(e);
        if (_events.Count == 1)
        {
            PersistAsync(_events[0], e =>
            {
                Written(e);
                target.Complete(index, reply);
            });
        }
        else
        {
            PersistAllAsync(_events.ToArray(), _written);
            DeferAsync(reply, r => target.Complete(index, r));
        }
    }

    private void MarkPending(IShardEvent e) => Track(e, 1);

    private void Written(IShardEvent e)
    {
        Track(e, -1);
        _eventsSinceSnapshot++;
        MaybeSnapshot();
    }

    // Counts the keys (or the whole shard) an event touches as in flight (+1) or durable (-1).
    private void Track(IShardEvent e, int delta)
    {
        _pendingWrites += delta;
        switch (e)
        {
            case ValueSet set:
                Pend(set.Key, delta);
                break;
            case ExpirySet expiry:
                Pend(expiry.Key, delta);
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
        if (_pendingClears > 0 || spec.Routing == CommandRouting.AllShards) return true;
        if (spec.Routing == CommandRouting.SingleKey) return _pendingKeys.ContainsKey(arguments[0]);
        foreach (var key in arguments)
            if (_pendingKeys.ContainsKey(key)) return true;
        return false;
    }

    // Snapshot when no write is in flight, so the snapshot holds only durable data; under a
    // write stream that never pauses, snapshot anyway once twice overdue: events are absolute
    // assignments, so replaying ones the snapshot already holds is harmless.
    private void MaybeSnapshot()
    {
        if (_snapshotInProgress || _eventsSinceSnapshot < _settings.SnapshotEvery) return;
        if (_pendingWrites > 0 && _eventsSinceSnapshot < 2L * _settings.SnapshotEvery) return;
        _snapshotInProgress = true;
        _eventsSinceSnapshot = 0;
        SaveSnapshot(_state.ToSnapshot());
    }

    private static long ArgumentBytes(byte[][] arguments)
    {
        long total = 0;
        foreach (var argument in arguments) total += argument.Length;
        return total;
    }

    private static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>Where a command's reply goes once it may be released.</summary>
    private interface IReplyTarget
    {
        void Complete(int index, Reply reply);
    }

    private sealed class SingleReply(IActorRef sender) : IReplyTarget
    {
        public void Complete(int index, Reply reply) => sender.Tell(reply);
    }

    // Replies of a batch are released together, once the last one may be.
    private sealed class BatchReply(IActorRef sender, long requestId, int count) : IReplyTarget
    {
        private readonly Reply[] _replies = new Reply[count];
        private int _remaining = count;

        public void Complete(int index, Reply reply)
        {
            _replies[index] = reply;
            if (--_remaining == 0) sender.Tell(new ShardBatchReply(requestId, _replies));
        }
    }

    private sealed class SweepExpired
    {
        public static readonly SweepExpired Instance = new();
    }
}
