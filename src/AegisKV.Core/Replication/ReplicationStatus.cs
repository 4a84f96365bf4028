using System.Collections.Concurrent;
using AegisKV.Replication;

namespace AegisKV.Core.Replication;

/// <summary>
/// The replica groups a node leads, as their primaries last reported them, and the node's replication counters:
/// what <c>INFO replication</c>, the metrics and the admin API show. Thread-safe.
/// </summary>
public sealed class ReplicationStatus
{
    private readonly ConcurrentDictionary<int, GroupStatus> _led = new();
    private long _viewChanges;
    private long _dropped;
    private long _breakersOpened;
    private long _copiesDiscarded;
    private long _messagesSent;
    private long _remoteSends;
    // Node id → when its open breaker was last found open; a breaker nobody has looked at for a while counts as closed.
    private readonly ConcurrentDictionary<string, long> _open = new(StringComparer.Ordinal);
    private const long OpenForgottenAfterMs = 5000;

    /// <summary>The groups this node leads now, by shard.</summary>
    public IReadOnlyDictionary<int, GroupStatus> Led => _led;

    /// <summary>View changes this node's shards completed (each one a new primary incarnation here).</summary>
    public long ViewChanges => Interlocked.Read(ref _viewChanges);

    /// <summary>Replication messages dropped: their member's node was not known to the cluster, or unreachable.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Times the breaker in front of a member's node opened (it became unreachable, so sends to it stopped).</summary>
    public long BreakersOpened => Interlocked.Read(ref _breakersOpened);

    /// <summary>Copies of shards this node discarded because its WAL lost records of them; each rejoined its group empty.</summary>
    public long CopiesDiscarded => Interlocked.Read(ref _copiesDiscarded);

    /// <summary>Replication messages sent to other nodes.</summary>
    public long MessagesSent => Interlocked.Read(ref _messagesSent);

    /// <summary>Remote messages that carried them: what shards send one node while a send to it runs goes as one.</summary>
    public long RemoteSends => Interlocked.Read(ref _remoteSends);

    /// <summary>Groups led here with a member that is not in sync (see <see cref="GroupStatus.InSync"/>).</summary>
    public int UnderReplicated
    {
        get
        {
            var count = 0;
            foreach (var (_, group) in _led)
                if (group.InSync < group.Members.Count) count++;
            return count;
        }
    }

    /// <summary>Called by a primary with its group's figures.</summary>
    public void Report(int shardId, GroupStatus status) => _led[shardId] = status;

    /// <summary>Called by a primary that stops leading.</summary>
    public void Forget(int shardId) => _led.TryRemove(shardId, out _);

    /// <summary>Counts a completed view change.</summary>
    public void ViewChanged() => Interlocked.Increment(ref _viewChanges);

    /// <summary>Counts a dropped message.</summary>
    public void MessageDropped() => Interlocked.Increment(ref _dropped);

    /// <summary>Counts one remote message carrying <paramref name="messages"/> replication messages.</summary>
    public void Sent(int messages)
    {
        Interlocked.Add(ref _messagesSent, messages);
        Interlocked.Increment(ref _remoteSends);
    }

    /// <summary>Counts a discarded copy.</summary>
    public void CopyDiscarded() => Interlocked.Increment(ref _copiesDiscarded);

    /// <summary>Counts a breaker that opened.</summary>
    public void BreakerOpened() => Interlocked.Increment(ref _breakersOpened);

    /// <summary>Records the breaker in front of <paramref name="nodeId"/> as found open or closed just now.</summary>
    public void Breaker(string nodeId, bool open)
    {
        if (open) _open[nodeId] = Environment.TickCount64;
        else _open.TryRemove(nodeId, out _);
    }

    /// <summary>
    /// Breakers open now: found open within the last few seconds (a breaker is looked at whenever something is sent
    /// its way, so one in front of a node nothing is sent to any more stops counting).
    /// </summary>
    public int BreakersOpen
    {
        get
        {
            var now = Environment.TickCount64;
            var count = 0;
            foreach (var (_, seen) in _open)
                if (now - seen < OpenForgottenAfterMs) count++;
            return count;
        }
    }
}

/// <summary>A led group's figures.</summary>
/// <param name="Epoch">The primary's epoch.</param>
/// <param name="Members">The group's members.</param>
/// <param name="LastSequence">The primary's last log entry.</param>
/// <param name="Commit">The commit position.</param>
/// <param name="Lag">Entries the member furthest behind lacks.</param>
/// <param name="InSync">Members (the primary included) in sync: acknowledged it within the lease, hold their copies, lag little (<see cref="ReplicaCore.InSyncMembers"/>).</param>
public sealed record GroupStatus(Epoch Epoch, IReadOnlyList<string> Members, long LastSequence, long Commit, long Lag, int InSync);
