using System.Collections.Immutable;
using Akka.Actor;
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
/// replicated shard's record is its group, and it goes to the group's first-ranked eligible member.
/// Moves it starts count on <c>metrics</c> when given.
/// </summary>
public sealed class RendezvousAllocationStrategy(int shards, int limit, Func<string, string?>? holderOf = null, ClusterMetrics? metrics = null)
    : IActorSystemDependentAllocationStrategy
{
    private Akka.Cluster.Cluster? _cluster;

    /// <summary>Called by the coordinator before it allocates anything.</summary>
    public void Start(ActorSystem system) => _cluster = Akka.Cluster.Cluster.Get(system);

    /// <inheritdoc />
    public Task<IActorRef> AllocateShard(IActorRef requester, string shardId, IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations)
    {
        var regions = Regions(currentShardAllocations);
        if (holderOf?.Invoke(shardId) is { } holder)
        {
            // A replicated shard's record is its group: it runs where its first-ranked member that is up is.
            var holding = GroupRecord.IsGroup(holder)
                ? Rendezvous.Top(shardId, regions.Where(r => r.Eligible && GroupRecord.Holds(holder, r.Member)), r => r.NodeId)
                : regions.FirstOrDefault(r => r.Eligible && r.NodeId == holder);
            if (holding is not null) return Task.FromResult(holding.Region);
        }

        // A view that does not yet know the members (just after a join): rank what is known rather than wait.
        var best = Rendezvous.Top(shardId, regions.Where(r => r.Eligible), r => r.NodeId)
                   ?? Rendezvous.Top(shardId, regions, r => r.NodeId);
        return Task.FromResult(best?.Region ?? requester);
    }

    /// <inheritdoc />
    public Task<IImmutableSet<string>> Rebalance(IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations, IImmutableSet<string> rebalanceInProgress)
    {
        if (_cluster is not { } cluster || !IsSettled(cluster.State))
            return Task.FromResult<IImmutableSet<string>>(ImmutableHashSet<string>.Empty);
        var regions = Regions(currentShardAllocations);
        var eligible = regions.Where(r => r.Eligible).ToList();
        var moves = RebalancePlan.ShardsToMove(
            regions.Select(r => KeyValuePair.Create(r, (IReadOnlyList<string>)currentShardAllocations[r.Region])),
            eligible, r => r.NodeId, rebalanceInProgress.ToHashSet(), limit, holderOf, r => r.Member);
        if (moves.Count > 0) metrics?.Rebalances.Add(moves.Count);
        return Task.FromResult<IImmutableSet<string>>(moves.ToImmutableHashSet());
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
            regions.Add(new RegionNode(region, nodeId, memberId, eligible));
        }

        return regions;
    }

    // A member whose node id an older live member already has is refused by its own node; until it stops, it gets nothing.
    private static bool HasOlderTwin(Member member, ClusterEvent.CurrentClusterState state)
    {
        var nodeId = ClusterRoles.NodeIdOf(member);
        return state.Members.Any(m => !m.UniqueAddress.Equals(member.UniqueAddress) && m.IsOlderThan(member) && m.Status == MemberStatus.Up && !state.Unreachable.Contains(m) && ClusterRoles.NodeIdOf(m) == nodeId);
    }

    private sealed record RegionNode(IActorRef Region, string NodeId, string Member, bool Eligible);
}
