namespace AegisKV.Server.Topology;

/// <summary>The cluster as one node sees it: its members and where each shard runs.</summary>
/// <param name="Nodes">Members, by node id.</param>
/// <param name="Shards">Every shard, in order.</param>
/// <param name="Self">This node's id.</param>
/// <param name="Leader">The cluster leader's node id, if there is one.</param>
public sealed record Topology(IReadOnlyList<TopologyNode> Nodes, IReadOnlyList<TopologyShard> Shards, string Self, string? Leader)
{
    /// <summary>The member with <paramref name="nodeId"/>, if there is one.</summary>
    public TopologyNode? Node(string? nodeId) => nodeId is null ? null : Nodes.FirstOrDefault(n => n.NodeId == nodeId);

    /// <summary>The same view with each member's TLS client address in place of its plain one: what a TLS client is shown.</summary>
    public Topology WithTlsEndpoints() => this with { Nodes = [.. Nodes.Select(n => n with { ClientEndpoint = n.TlsClientEndpoint })] };
}

/// <summary>One member of the cluster.</summary>
/// <param name="NodeId">Its <c>--node-id</c>.</param>
/// <param name="RedisId">A 40-hex-digit id derived from the node id, where Redis clients expect one.</param>
/// <param name="Address">Its gossip address.</param>
/// <param name="ClientEndpoint">Where clients reach its RESP port (<c>host:port</c>).</param>
/// <param name="Status">Akka membership status: Joining, Up, Leaving, Exiting, Down.</param>
/// <param name="Reachable">False when the failure detector flags it.</param>
/// <param name="Roles">Its cluster roles.</param>
public sealed record TopologyNode(string NodeId, string RedisId, string Address, string? ClientEndpoint, string Status, bool Reachable,
    IReadOnlyList<string> Roles)
{
    /// <summary>Where TLS clients reach it; null when it serves none.</summary>
    public string? TlsClientEndpoint { get; init; }
}

/// <summary>One shard.</summary>
/// <param name="Shard">Its number.</param>
/// <param name="FirstSlot">First hash slot it owns.</param>
/// <param name="LastSlot">Last hash slot it owns (inclusive).</param>
/// <param name="Owner">The node it runs on now, if any.</param>
/// <param name="Holder">The node custody records as holding its newest copy, as this node last heard.</param>
/// <param name="Epoch">The ballot its holder was recorded under.</param>
public sealed record TopologyShard(int Shard, int FirstSlot, int LastSlot, string? Owner, string? Holder, long Epoch);
