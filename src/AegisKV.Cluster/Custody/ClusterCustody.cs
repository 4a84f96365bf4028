using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using AegisKV.Cluster.Placement;
using AegisKV.Core.Sharding;

namespace AegisKV.Cluster.Custody;

/// <summary>
/// Shard custody for a node of an AegisKV cluster: claims and transfers are <see cref="CustodyRound"/>s through the
/// custody replicas of the data members, hand-off targets are ranked by <see cref="Rendezvous"/> like placement.
/// </summary>
public sealed class ClusterCustody : IShardCustody
{
    /// <summary>Name of the actor under <c>/user</c> that receives shard data on every node.</summary>
    public const string HandoffReceiverName = "handoff";

    private readonly ActorSystem _system;
    private readonly Akka.Cluster.Cluster _cluster;
    private readonly int _shards;
    private readonly int _replicationFactor;
    private readonly CustodyView _view;
    private readonly TimeSpan _timeout;

    /// <summary>Custody for this node (<paramref name="nodeId"/>) in a cluster of <paramref name="shards"/> shards.</summary>
    public ClusterCustody(ActorSystem system, string nodeId, int shards, CustodyView view, TimeSpan timeout, int replicationFactor)
    {
        _replicationFactor = replicationFactor;
        _system = system;
        _cluster = Akka.Cluster.Cluster.Get(system);
        _shards = shards;
        _view = view;
        _timeout = timeout;
        NodeId = nodeId;
    }

    /// <summary>This assembly's HOCON defaults (the serializer of custody messages).</summary>
    public static Config DefaultConfig() => ConfigurationFactory.FromResource<ClusterCustody>("AegisKV.Cluster.reference.conf");

    /// <inheritdoc />
    public string NodeId { get; }

    /// <inheritdoc />
    public async Task<CustodyClaim> ClaimAsync(int shardId)
    {
        // The shard is this node's when it holds the newest copy or nobody ever held one; writing that
        // (even unchanged) under a new ballot fences any older incarnation.
        var result = await WriteAsync(shardId, current => current ?? NodeId).ConfigureAwait(false);
        if (!result.Written) return new CustodyClaim(CustodyOutcome.NoQuorum, 0, null, result.Reason);
        if (result.Value == NodeId) return new CustodyClaim(CustodyOutcome.Serve, result.Ballot.Counter, NodeId, "");
        var holder = result.Value!;
        return IsAvailable(holder)
            ? new CustodyClaim(CustodyOutcome.HeldElsewhere, 0, holder, $"its data is on node {holder}, where it moves next")
            : new CustodyClaim(CustodyOutcome.HolderUnavailable, 0, holder, $"its only copy is on node {holder}, which is down or unreachable");
    }

    /// <inheritdoc />
    public async Task TransferAsync(int shardId, string nodeId)
    {
        var result = await WriteAsync(shardId, current => current == NodeId ? nodeId : current).ConfigureAwait(false);
        if (!result.Written) throw new CustodyException(result.Reason);
        if (result.Value != nodeId) throw new CustodyException($"the cluster records node {result.Value ?? "(none)"} as its holder, not this node");
    }

    /// <summary>
    /// The replica group the cluster records for <paramref name="shardId"/> (its members joined by commas), recording
    /// <paramref name="proposed"/> when there is none; null when no majority answered.
    /// </summary>
    public async Task<string?> RecordGroupAsync(int shardId, string proposed)
    {
        var result = await WriteAsync(shardId, current => current ?? proposed).ConfigureAwait(false);
        return result.Written ? result.Value : null;
    }

    /// <summary>Shard <paramref name="shardId"/>'s record as this node's replica last accepted it (a hint, not a decision).</summary>
    public string? LastSeenRecord(int shardId) => _view.HolderOf(shardId.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>
    /// Rewrites shard <paramref name="shardId"/>'s record as <paramref name="decide"/> says, given the current one
    /// (null when there is none); the record written, or null when no majority answered.
    /// </summary>
    public async Task<string?> RewriteAsync(int shardId, Func<string?, string?> decide)
    {
        var result = await WriteAsync(shardId, decide).ConfigureAwait(false);
        return result.Written ? result.Value : null;
    }

    /// <summary>
    /// Writes shard <paramref name="shardId"/>'s entry again, unchanged, through the current members; true once a
    /// majority has it (or it has no value). Done for every shard before a member is added, so that a majority of
    /// the larger membership still meets every value written before.
    /// </summary>
    public async Task<bool> RefreshAsync(int shardId) => (await WriteAsync(shardId, current => current).ConfigureAwait(false)).Written;

    /// <inheritdoc />
    public HandoffTarget? HandoffTargetFor(int shardId)
    {
        var state = _cluster.State;
        var candidates = state.Members.Where(m => IsEligible(m, state) && ClusterRoles.NodeIdOf(m) != NodeId);
        var best = Rendezvous.Top(shardId.ToString(System.Globalization.CultureInfo.InvariantCulture), candidates, ClusterRoles.NodeIdOf);
        return best is null ? null : new HandoffTarget(ClusterRoles.NodeIdOf(best), new RootActorPath(best.Address) / "user" / HandoffReceiverName);
    }

    /// <summary>True when a data member with <paramref name="nodeId"/> is up and reachable.</summary>
    public bool IsAvailable(string nodeId)
    {
        var state = _cluster.State;
        return state.Members.Any(m => m.Status is MemberStatus.Up or MemberStatus.Leaving && !state.Unreachable.Contains(m) && ClusterRoles.NodeIdOf(m) == nodeId);
    }

    private bool IsEligible(Member member, ClusterEvent.CurrentClusterState state) =>
        member.Status == MemberStatus.Up && !state.Unreachable.Contains(member) && HoldsData(member);

    /// <summary>
    /// True when <paramref name="member"/> holds this cluster's data: the same shard count and replication factor (a
    /// node with others is refused when it joins, and must not count among the members custody needs a majority of).
    /// </summary>
    public bool HoldsData(Member member) => ClusterRoles.ShardCountOf(member) == _shards && ClusterRoles.ReplicationFactorOf(member) == _replicationFactor;

    private async Task<RoundResult> WriteAsync(int shardId, Func<string?, string?> decide)
    {
        var key = CustodyKeys.Shard(shardId);
        var current = _view.Current;
        var result = new TaskCompletionSource<RoundResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _system.ActorOf(CustodyRound.Props(key, NodeId, Replicas(), current.Members, current.Get(key).Promised.Counter, decide, result, _timeout));
        var ended = await result.Task.ConfigureAwait(false);
        // Members the answers taught the round are kept here too: this node may lead the membership next.
        if (!ReferenceEquals(current.Members.Merge(ended.Members), current.Members))
            _system.ActorSelection(new RootActorPath(_cluster.SelfAddress) / "user" / CustodyReplica.Name).Tell(new MergeMembership(ended.Members));
        return ended;
    }

    // Every data member that may answer, this node included even before it is up (a cluster of one).
    private List<(string NodeId, ActorPath Replica)> Replicas()
    {
        var replicas = new List<(string, ActorPath)> { (NodeId, new RootActorPath(_cluster.SelfAddress) / "user" / CustodyReplica.Name) };
        foreach (var member in _cluster.State.Members)
        {
            if (member.Address.Equals(_cluster.SelfAddress) || !HoldsData(member)) continue;
            if (member.Status is MemberStatus.Up or MemberStatus.Leaving or MemberStatus.Exiting)
                replicas.Add((ClusterRoles.NodeIdOf(member), new RootActorPath(member.Address) / "user" / CustodyReplica.Name));
        }

        return replicas;
    }
}
