using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using AegisKV.Cluster.Replication;

namespace AegisKV.Cluster.Placement;

/// <summary>
/// Akka.Cluster.Sharding allocation by rendezvous hashing over the data nodes' ids (<see cref="Rendezvous"/>):
/// a shard goes to the node that ranks first for it among the members that are up and not leaving, and a
/// rebalance moves only shards whose first-ranked node changed, at most <c>limit</c> at a time, and only while
/// no member is joining or unreachable (a move then could not complete, or would be undone at once).
/// A node with another shard count than <c>shards</c> maps keys to shards differently: it is never given one.
/// With <c>holderOf</c> (the node holding each shard's data, from custody), a shard goes first to the node that
/// holds its data when that node is eligible, so a shard is never started cold where a copy exists elsewhere; a
/// replicated shard's record is its group, and it goes to the group's first-ranked eligible member that is in sync.
/// With a <c>syncTimeout</c>, that is asked of the members (<see cref="CopyStateProbe"/>, <see cref="InSyncCopies"/>;
/// <c>inSyncLag</c> entries behind at most): a primary moves only to a member in sync, and to the first-ranked one
/// when none answers so, as a view change then brings it up to date before it serves. Moves it starts count on
/// <c>metrics</c> when given.
/// </summary>
public sealed class RendezvousAllocationStrategy(int shards, int limit, Func<string, string?>? holderOf = null, ClusterMetrics? metrics = null,
    TimeSpan syncTimeout = default, long inSyncLag = 1000)
    : IActorSystemDependentAllocationStrategy
{
    private Akka.Cluster.Cluster? _cluster;
    private CopyStateProbe? _probe;
    private ILoggingAdapter? _log;
    // Shards whose move waits for their first-ranked member to be in sync: said once per wait.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _waiting = new();

    /// <summary>Called by the coordinator before it allocates anything.</summary>
    public void Start(ActorSystem system)
    {
        _cluster = Akka.Cluster.Cluster.Get(system);
        _log = Logging.GetLogger(system, typeof(RendezvousAllocationStrategy));
        if (syncTimeout > TimeSpan.Zero) _probe = new CopyStateProbe(system, syncTimeout);
    }

    /// <inheritdoc />
    public Task<IActorRef> AllocateShard(IActorRef requester, string shardId, IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations)
    {
        var regions = Regions(currentShardAllocations);
        if (holderOf?.Invoke(shardId) is { } holder)
        {
            // A replicated shard's record is its group: it runs where its first-ranked member that is up and in sync is.
            if (GroupRecord.IsGroup(holder))
            {
                var members = regions.Where(r => r.Eligible && GroupRecord.Holds(holder, r.Member)).ToList();
                if (members.Count > 0) return AllocateInGroupAsync(shardId, members);
            }
            else if (regions.FirstOrDefault(r => r.Eligible && r.NodeId == holder) is { } holding) return Task.FromResult(holding.Region);
        }

        // A view that does not yet know the members (just after a join): rank what is known rather than wait.
        var best = Rendezvous.Top(shardId, regions.Where(r => r.Eligible), r => r.NodeId)
                   ?? Rendezvous.Top(shardId, regions, r => r.NodeId);
        return Task.FromResult(best?.Region ?? requester);
    }

    private async Task<IActorRef> AllocateInGroupAsync(string shardId, List<RegionNode> members)
    {
        var first = Rendezvous.Top(shardId, members, r => r.NodeId)!;
        if (_probe is null || members.Count == 1 || !int.TryParse(shardId, out var shard)) return first.Region;
        var inSync = InSyncCopies.Of(await _probe.AskAsync(shard, members.Select(m => m.Address)).ConfigureAwait(false), inSyncLag);
        var best = Rendezvous.Top(shardId, members.Where(m => inSync.Contains(m.Member)), r => r.NodeId);
        if (best is null)
        {
            _log?.Warning("Shard {0}: no member answered that it is in sync; it goes to {1}, which catches up before it serves", shardId, first.NodeId);
            return first.Region;
        }

        if (best != first) _log?.Info("Shard {0} goes to {1}: {2} ranks first but is not in sync", shardId, best.NodeId, first.NodeId);
        return best.Region;
    }

    /// <inheritdoc />
    public async Task<IImmutableSet<string>> Rebalance(IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations, IImmutableSet<string> rebalanceInProgress)
    {
        if (_cluster is not { } cluster || !IsSettled(cluster.State)) return ImmutableHashSet<string>.Empty;
        var regions = Regions(currentShardAllocations);
        var eligible = regions.Where(r => r.Eligible).ToList();
        var allocations = regions.Select(r => KeyValuePair.Create(r, (IReadOnlyList<string>)currentShardAllocations[r.Region])).ToList();
        var inProgress = rebalanceInProgress.ToHashSet();
        var room = limit - inProgress.Count;
        if (room <= 0) return ImmutableHashSet<string>.Empty;
        // Every shard away from where it belongs, asked about all at once; those whose primary would move to a member
        // not in sync are left out, and the first of the others go.
        var candidates = RebalancePlan.ShardsToMove(allocations, eligible, r => r.NodeId, inProgress, int.MaxValue, holderOf, r => r.Member);
        var allowed = await Task.WhenAll(candidates.Select(shard => MayMoveAsync(shard, allocations, eligible))).ConfigureAwait(false);
        var moves = new List<string>(room);
        for (var i = 0; i < candidates.Count && moves.Count < room; i++)
            if (allowed[i]) moves.Add(candidates[i]);

        if (moves.Count > 0) metrics?.Rebalances.Add(moves.Count);
        return moves.ToImmutableHashSet();
    }

    // A replicated shard's primary moves to its first-ranked member only once the primary says that member is in sync;
    // a shard that does not serve where it is (it found no group there) moves on regardless. One still taking its
    // group over there, or whose copy there did not answer in time, stays: moved, it would start over on a node that
    // is not in sync, and be moved again before it served, again and again, while nothing brings that member up to date.
    private async Task<bool> MayMoveAsync(string shardId, List<KeyValuePair<RegionNode, IReadOnlyList<string>>> allocations, List<RegionNode> eligible)
    {
        if (_probe is null || holderOf?.Invoke(shardId) is not { } holder || !GroupRecord.IsGroup(holder) || !int.TryParse(shardId, out var shard)) return true;
        var target = Rendezvous.Top(shardId, eligible.Where(r => GroupRecord.Holds(holder, r.Member)), r => r.NodeId);
        var owner = allocations.FirstOrDefault(a => a.Value.Contains(shardId)).Key;
        if (target is null || owner is null) return true;
        var states = await _probe.AskAsync(shard, [owner.Address]).ConfigureAwait(false);
        if (states.Count == 0 || states[0].Starting) return Stay(shardId, "Shard {0} stays on {1} until it serves there", owner, target);
        if (!states[0].Leads || states[0].InSync.Contains(target.Member))
        {
            _waiting.TryRemove(shardId, out _);
            return true;
        }

        return Stay(shardId, "Shard {0} stays on {1} until {2} is in sync", owner, target);
    }

    private bool Stay(string shardId, string why, RegionNode owner, RegionNode target)
    {
        if (_waiting.TryAdd(shardId, 0)) _log?.Info(why, shardId, owner.NodeId, target.NodeId);
        return false;
    }

    private static bool IsSettled(ClusterEvent.CurrentClusterState state)
    {
        if (!state.Unreachable.IsEmpty) return false;
        foreach (var member in state.Members)
            if (member.Status is MemberStatus.Joining or MemberStatus.WeaklyUp) return false;
        return true;
    }

    private List<RegionNode> Regions(IImmutableDictionary<IActorRef, IImmutableList<string>> allocations)
    {
        var regions = new List<RegionNode>(allocations.Count);
        if (_cluster is not { } cluster) return regions;
        var state = cluster.State;
        foreach (var region in allocations.Keys)
        {
            // The coordinator's own node's region has a local address.
            var address = region.Path.Address.HasLocalScope ? cluster.SelfAddress : region.Path.Address;
            var member = state.Members.FirstOrDefault(m => m.Address.Equals(address));
            if (member is null || ClusterRoles.ShardCountOf(member) != shards || HasOlderTwin(member, state)) continue;
            var eligible = member.Status == MemberStatus.Up && !state.Unreachable.Contains(member);
            var nodeId = ClusterRoles.NodeIdOf(member);
            // In replica groups a node is its node id and store: one back with an empty store holds none of its old copies.
            var memberId = ClusterRoles.StoreIdOf(member) is { } storeId ? ClusterReplicaNetwork.MemberId(nodeId, storeId) : nodeId;
            regions.Add(new RegionNode(region, address, nodeId, memberId, eligible));
        }

        return regions;
    }

    // A member whose node id an older live member already has is refused by its own node; until it stops, it gets nothing.
    private static bool HasOlderTwin(Member member, ClusterEvent.CurrentClusterState state)
    {
        var nodeId = ClusterRoles.NodeIdOf(member);
        return state.Members.Any(m => !m.UniqueAddress.Equals(member.UniqueAddress) && m.IsOlderThan(member) && m.Status == MemberStatus.Up && !state.Unreachable.Contains(m) && ClusterRoles.NodeIdOf(m) == nodeId);
    }

    private sealed record RegionNode(IActorRef Region, Address Address, string NodeId, string Member, bool Eligible);
}
