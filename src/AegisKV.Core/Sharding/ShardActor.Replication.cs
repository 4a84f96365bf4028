using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using AegisKV.Core.Commands;
using AegisKV.Core.Replication;
using AegisKV.Core.Replies;
using AegisKV.Core.State;
using AegisKV.Replication;
using AegisKV.Storage.Replication;

namespace AegisKV.Core.Sharding;

// Replicated shards (a replication factor above 1, ADR 0014): where sharding runs the shard, it leads the shard's
// replica group. It takes the shard's replica on this node over from its follower, runs a view change, and serves
// once its epoch has started. A command's events are one entry of the group's log, answered once committed; a read
// is answered only under the read lease, and after the writes in flight it touches are committed.
public sealed partial class ShardActor : IReplicaOwner
{
    private readonly Queue<AwaitingCommit> _awaitingCommit = new();
    private readonly HashSet<string> _snapshotsWanted = [];
    private readonly List<byte[]> _expiredKeys = [];
    private readonly List<IShardEvent> _expiryDeletes = [];
    private ReplicaShell? _shell;
    private ShardLogCodec? _codec;
    private WalReplicaLog? _replicaLog;
    private long _applied;
    private bool _rebuild;
    private bool _flushQueued;
    private long? _grantedUntil;
    private long _loadedThrough;

    private bool IsReplicated => _peers?.Replication is not null;

    private IReplicaNetwork Network => _peers!.Replication!;

    private void BeginReplicated()
    {
        _mode = ShardMode.Claiming;
        _applied = LastSequenceNr;
        _peers!.ReplicaHost!.Tell(new TakeOver(_shardId));
    }

    // Replication's own messages, in any mode; false for the others.
    private bool HandleReplication(object message)
    {
        switch (message)
        {
            case TakenOver takenOver:
                _grantedUntil = takenOver.GrantedUntil;
                Journal.Ask<WalReplicaLog>(GetReplicaLog.Instance, TimeSpan.FromSeconds(30)).PipeTo(Self);
                return true;
            case WalReplicaLog wal:
                // Whatever the follower that ran here wrote is in the WAL before the log is read.
                wal.Flushed().PipeTo(Self, success: () => new ReplicaLogFlushed(wal));
                return true;
            case ReplicaLogFlushed flushed:
                _replicaLog = flushed.Log;
                _codec = new ShardLogCodec(Context.System, PersistenceId);
                FindGroup();
                return true;
            case GroupFound found:
                OnGroupFound(found.Group);
                return true;
            case RetryClaim when _shell is null && _mode == ShardMode.Refusing:
                // The replica went back to its follower meanwhile, which kept it up to date: take it over again.
                BeginReplicated();
                return true;
            case ReplicaMessage replicaMessage when _shell is not null:
                _shell.Step(replicaMessage);
                ApplyNewEntries();
                return true;
            case ReplicaMessage:
                Stash.Stash();
                return true;
            case GetCopyState when _shell is not null:
                Sender.Tell(CopyState.Of(_shardId, _shell.Core, _mode == ShardMode.Serving, ReplicaShell.Now, starting: _mode == ShardMode.Claiming));
                return true;
            case GetCopyState when _mode == ShardMode.Claiming:
                // Its log is being loaded: answered once it is.
                Stash.Stash();
                return true;
            case GetCopyState:
                // Refusing, it holds no replica here; the asker's timeout counts it as unknown.
                return true;
            case ReplicaWritten written when _shell is not null:
                if (_shell.OnWritten(written)) ApplyNewEntries();
                if (_rebuild && !_shell.HasPendingWrites)
                    throw new ReplicaWriteException($"shard {_shardId} starts again from its log, which its view change replaced", new InvalidOperationException("rebuild"));
                return true;
            case FlushReplica when _shell is not null:
                _flushQueued = false;
                _shell.Flush();
                return true;
            case ReplicaTick when _shell is not null:
                _shell.Tick();
                ApplyNewEntries();
                ReportStatus();
                return true;
            case StandDownNow:
                FailAwaiting($"TRYAGAIN unconfirmed: shard {_shardId} moved before this write was confirmed; it may or may not have been applied");
                Context.Stop(Self);
                return true;
            case SaveSnapshotSuccess saved when _shell is not null:
                EndSnapshot();
                _metrics?.Snapshots.Add(1);
                CompactBehind(saved.Metadata.SequenceNr);
                return true;
            default:
                return HandleGroupChange(message);
        }
    }

    // The group: the one this replica last wrote, or, for a shard this node holds nothing of, the one the cluster
    // records (recording the first-ranked nodes when the shard never existed).
    private void FindGroup()
    {
        // A saved group without this member is older than what the cluster records when this member was added since
        // (its follower held the shard's log only up to before that): the record says.
        if (ReplicaShell.SavedGroup(Network, PersistenceId) is { } saved && saved.Contains(Network.Self))
        {
            OnGroupFound(saved);
            return;
        }

        if (Network.InitialGroup(_shardId) is not { } initial)
        {
            RefuseReplicated(CustodyOutcome.NoQuorum, "fewer data nodes are up than the replication factor");
            return;
        }

        Network.RecordedGroupAsync(_shardId, initial).PipeTo(Self, success: group => new GroupFound(group), failure: _ => new GroupFound(null));
    }

    private void OnGroupFound(GroupConfiguration? group)
    {
        if (group is null)
        {
            RefuseReplicated(CustodyOutcome.NoQuorum, "no majority of the cluster answered");
            return;
        }

        if (!group.Contains(Network.Self))
        {
            RefuseReplicated(CustodyOutcome.HeldElsewhere, $"this node holds no copy; its group is {group}");
            return;
        }

        _mode = ShardMode.Claiming;
        _refusal = null;
        _groupRecorded = group;
        _shell = ReplicaShell.Load(_shardId, Network, _replicaLog!, _codec!, group, Self, this, _grantedUntil);
        _loadedThrough = _shell.Core.Log.LastSequence;
        // A snapshot its follower installed after this actor replayed the WAL: start again from it.
        if (_shell.Core.Log.BaseSequence > _applied)
            throw new ReplicaWriteException($"shard {_shardId}: its log was reset while it recovered", new InvalidOperationException("reset"));
        ApplyNewEntries();
        _shell.Core.StartViewChange(ReplicaShell.Now);
        _shell.Flush();
        ApplyNewEntries();
        Timers.StartPeriodicTimer("replica-tick", ReplicaTick.Instance, TimeSpan.FromMilliseconds(Math.Max(10, Network.Options.HeartbeatMs)));
    }

    private void RefuseReplicated(CustodyOutcome outcome, string reason)
    {
        // While this actor only waits, the node's copy keeps following its primary (and learns of a group it joins).
        _peers!.ReplicaHost!.Tell(new Release(_shardId), Self);
        if (_refusal?.Reason != reason) _log.Warning("Shard {0} does not serve on this node: {1}", _shardId, reason);
        _mode = ShardMode.Refusing;
        _refusal = new CustodyClaim(outcome, 0, null, reason);
        Stash.UnstashAll();
        Timers.StartSingleTimer("claim", RetryClaim.Instance, outcome == CustodyOutcome.NoQuorum ? _peers!.ClaimRetry : _peers!.ClaimRetry * 5);
    }

    // Entries the core added that the map does not hold yet (its epoch's start, a log it adopted). A log cut below
    // what the map holds, or replaced by a snapshot, cannot be applied: the shard starts again once that is written.
    private void ApplyNewEntries()
    {
        var log = _shell!.Core.Log;
        if (log.LastSequence < _applied || log.BaseSequence > _applied)
        {
            _rebuild = true;
            return;
        }

        for (var sequence = _applied + 1; sequence <= log.LastSequence; sequence++)
        {
            var entry = log[sequence];
            _state.Apply(entry.Kind == EntryKind.Data
                ? _codec!.Event(entry.Payload.Span)
                : new GroupConfigured(entry.Epoch, entry.StartsEpoch, [.. entry.Configuration!.Members]));
            _applied = sequence;
        }
    }

    // A command's outcome on a replicated shard: its events go into the log as one entry and it is answered once
    // that is committed; a read waits for the writes in flight it touches.
    private void Replicate(List<IShardEvent> events, IReplyTarget target, int index, Reply reply, bool waits)
    {
        var core = _shell!.Core;
        if (events.Count == 0)
        {
            if (waits) _awaitingCommit.Enqueue(new AwaitingCommit(core.Log.LastSequence, null, _held.Add(target, index), reply));
            else target.Complete(index, reply);
            return;
        }

        _state.TakeUndo();
        var sequence = core.Log.LastSequence + 1;
        core.Propose(_codec!.EncodeData(sequence, core.Epoch.Counter, events));
        _applied = sequence;
        var written = events.ToArray();
        foreach (var e in written) MarkPending(e);
        _awaitingCommit.Enqueue(new AwaitingCommit(sequence, written, _held.Add(target, index), reply));
        // Sent once the commands already in the mailbox have run: their entries go out together.
        if (_flushQueued) return;
        _flushQueued = true;
        Self.Tell(FlushReplica.Instance);
    }

    // Only the primary expires keys and hash fields, and journals what it removed as deletes: a later primary whose
    // clock is behind never brings back what this one already expired.
    private void SweepReplicated()
    {
        if (_rebuild || !_shell!.Core.IsServing) return;
        var keys = _expiredKeys;
        keys.Clear();
        var deletes = _expiryDeletes;
        deletes.Clear();
        var removed = _state.RemoveExpired(NowMs(), _settings.ExpirySweepLimit, keys, deletes);
        if (removed > 0)
        {
            _memory.AddExpired(removed);
            _metrics?.ExpiredKeys.Add(removed);
        }

        if (keys.Count > 0) deletes.Add(new KeysDeleted(_state.Epoch, [.. keys]));
        if (deletes.Count > 0) Replicate([.. deletes], NoReply.Instance, 0, Reply.Ok, waits: false);
        if (_memory.IsOver && _memory.Policy != EvictionPolicy.NoEviction) EvictInBackground();
    }

    // Why a replicated shard cannot run a command (of these flags) now: it does not serve yet, cannot be sure it still
    // leads, (for a write) fewer members than the write quorum have kept up with it lately, so the write could not be
    // confirmed, or (for a write that needs memory) a member's node is over its memory limit, which it cannot refuse.
    private Reply? Unready(CommandFlags flags)
    {
        var core = _shell!.Core;
        if (_rebuild || !core.IsServing) return Errors.Text($"TRYAGAIN shard {_shardId} is choosing its primary");
        var now = ReplicaShell.Now;
        if (!core.HasReadLease(now)) return Errors.Text($"TRYAGAIN shard {_shardId} cannot confirm it still leads its group");
        if ((flags & CommandFlags.Write) != 0 && core.MembersGranting(now) < core.WriteQuorumSize) return NoReplicas;
        if ((flags & CommandFlags.DenyOom) == 0 || !core.AnyMemberFull) return null;
        _metrics?.OutOfMemoryRefusals.Add(1);
        return Errors.OutOfMemory;
    }

    /// <inheritdoc />
    public void Committed(long commit)
    {
        while (_awaitingCommit.TryPeek(out var head) && head.Sequence <= commit)
        {
            _awaitingCommit.Dequeue();
            if (head.Events is { } events)
            {
                foreach (var e in events) Track(e, -1);
                _eventsSinceSnapshot++;
            }

            head.Slot.Complete(head.Reply);
        }

        if (_mode == ShardMode.Claiming && _shell!.Core.IsServing && !_rebuild) StartServingReplicated();
        else if (_mode == ShardMode.HandingOff && _awaitingCommit.Count == 0) Context.Stop(Self);
        if (_mode == ShardMode.Serving)
        {
            SendWantedSnapshots();
            MaybeSnapshotReplicated();
        }
    }

    // Entries the member furthest behind lacks, while this shard leads its group; -1 otherwise.
    private long ReplicationLag => _shell is { } shell && _mode == ShardMode.Serving ? shell.Core.Log.LastSequence - shell.Core.LowestMatch : -1;

    private void ReportStatus()
    {
        var core = _shell!.Core;
        if (_mode != ShardMode.Serving) return;
        var now = ReplicaShell.Now;
        Network.Status.Report(_shardId, new GroupStatus(core.Epoch, core.Configuration.Members, core.Log.LastSequence, core.Commit,
            core.Log.LastSequence - core.LowestMatch, core.InSyncMembers(now).Count));
    }

    private void StartServingReplicated()
    {
        Network.Status.ViewChanged();
        _mode = ShardMode.Serving;
        _refusal = null;
        _localShards?.Serving(_shardId, Self);
        Timers.StartPeriodicTimer("expiry", SweepExpired.Instance, _settings.ExpirySweepInterval);
        StartGroupChecks();
        // How far its copy was behind shows whether placement chose a member in sync (the epoch's own entry not counted).
        _log.Info("Shard {0} leads its group {1} in epoch {2}; its copy lacked {3} entries", _shardId, _shell!.Core.Configuration, _shell.Core.Epoch,
            Math.Max(0, _shell.Core.Log.LastSequence - 1 - _loadedThrough));
        Stash.UnstashAll();
    }

    /// <inheritdoc />
    public void RoleChanged(ReplicaRole role)
    {
        if (role != ReplicaRole.Follower) return;
        // Another member leads a later epoch: nothing of ours in flight can be known to commit from here.
        _log.Warning("Shard {0} no longer leads its group (promised {1}); it stops here", _shardId, _shell!.Core.Promised);
        FailAwaiting($"TRYAGAIN unconfirmed: shard {_shardId} changed primary before this write was confirmed; it may or may not have been applied");
        Context.Stop(Self);
    }

    private void StandDownReplicated()
    {
        _localShards?.Leaving(_shardId, Self);
        _mode = ShardMode.HandingOff;
        Timers.Cancel("expiry");
        if (_awaitingCommit.Count == 0) Context.Stop(Self);
        else Timers.StartSingleTimer("stand-down", StandDownNow.Instance, TimeSpan.FromSeconds(3));
    }

    private void FailAwaiting(string error)
    {
        var reply = Errors.Text(error);
        while (_awaitingCommit.TryDequeue(out var awaiting))
        {
            if (awaiting.Events is { } events)
                foreach (var e in events) Track(e, -1);
            awaiting.Slot.Complete(reply);
        }
    }

    private void LeaveReplicated()
    {
        if (!IsReplicated) return;
        Network.Status.Forget(_shardId);
        FailAwaiting($"TRYAGAIN unconfirmed: shard {_shardId} stopped before this write was confirmed; it may or may not have been applied");
        _peers!.ReplicaHost!.Tell(new Release(_shardId), Self);
    }

    private static readonly Reply NoReplicas = Errors.Text("NOREPLICAS Not enough good replicas to write.");

    private sealed record AwaitingCommit(long Sequence, IShardEvent[]? Events, PendingReplies.Slot Slot, Reply Reply);

    private sealed record ReplicaLogFlushed(WalReplicaLog Log);

    private sealed record GroupFound(GroupConfiguration? Group);

    private sealed class ReplicaTick
    {
        public static readonly ReplicaTick Instance = new();
    }

    private sealed class StandDownNow
    {
        public static readonly StandDownNow Instance = new();
    }

    private sealed class FlushReplica
    {
        public static readonly FlushReplica Instance = new();
    }
}
