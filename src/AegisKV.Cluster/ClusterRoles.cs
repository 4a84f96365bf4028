using System.Globalization;
using Akka.Cluster;

namespace AegisKV.Cluster;

/// <summary>
/// What a node tells the cluster about itself through its member roles, so that every node can read it from
/// the membership it already has: its node id, which placement ranks by, and its shard count, which must be
/// the cluster's.
/// </summary>
public static class ClusterRoles
{
    private const string NodeIdPrefix = "node-id.";
    private const string ShardsPrefix = "shards.";
    private const string ClientPrefix = "resp.";
    private const string TlsClientPrefix = "resps.";
    private const string StorePrefix = "store-id.";
    private const string CopiesPrefix = "copies.";

    /// <summary>
    /// The role of a node that reads replication messages sent together (a <c>ReplicaBatch</c>); a node of a release
    /// before them gets each alone.
    /// </summary>
    public const string ReplicaBatches = "replica-batches";

    /// <summary>The role that carries a node id.</summary>
    public static string NodeId(string nodeId) => NodeIdPrefix + nodeId;

    /// <summary>The role that carries the store id of a node's data directory (a replica-group member is a node id plus this).</summary>
    public static string StoreId(string storeId) => StorePrefix + storeId;

    /// <summary>A member's store id, or null when it has none.</summary>
    public static string? StoreIdOf(Member member)
    {
        foreach (var role in member.Roles)
            if (role.StartsWith(StorePrefix, StringComparison.Ordinal))
                return role[StorePrefix.Length..];
        return null;
    }

    /// <summary>The role that carries a replication factor, which must be the cluster's.</summary>
    public static string ReplicationFactor(int copies) => CopiesPrefix + copies.ToString(CultureInfo.InvariantCulture);

    /// <summary>A member's replication factor: 1 when it has no <c>copies.</c> role (a node of a release without replication).</summary>
    public static int ReplicationFactorOf(Member member)
    {
        foreach (var role in member.Roles)
            if (role.StartsWith(CopiesPrefix, StringComparison.Ordinal)
                && int.TryParse(role.AsSpan(CopiesPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var copies))
                return copies;
        return 1;
    }

    /// <summary>The role that carries a shard count.</summary>
    public static string Shards(int count) => ShardsPrefix + count.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The role that carries the address clients reach a node's RESP port at, as <c>resp.PORT.HOST</c>: roles pass
    /// through HOCON unquoted, where a colon is not allowed, so an IPv6 host's colons are written as underscores.
    /// </summary>
    public static string ClientEndpoint(string host, int port) =>
        ClientPrefix + port.ToString(CultureInfo.InvariantCulture) + "." + host.Replace(':', '_');

    /// <summary>The role that carries the address TLS clients reach a node at, as <c>resps.PORT.HOST</c>.</summary>
    public static string TlsClientEndpoint(string host, int port) =>
        TlsClientPrefix + port.ToString(CultureInfo.InvariantCulture) + "." + host.Replace(':', '_');

    /// <summary>A member's plain RESP address (<c>host:port</c>, <c>[v6]:port</c>), or null when it has none.</summary>
    public static string? ClientEndpointOf(Member member) => EndpointOf(member, ClientPrefix);

    /// <summary>A member's TLS RESP address, or null when it serves no TLS clients.</summary>
    public static string? TlsClientEndpointOf(Member member) => EndpointOf(member, TlsClientPrefix);

    private static string? EndpointOf(Member member, string prefix)
    {
        foreach (var role in member.Roles)
        {
            if (!role.StartsWith(prefix, StringComparison.Ordinal)) continue;
            var dot = role.IndexOf('.', prefix.Length);
            if (dot < 0) continue;
            var host = role[(dot + 1)..].Replace('_', ':');
            var port = role[prefix.Length..dot];
            return host.Contains(':') ? $"[{host}]:{port}" : $"{host}:{port}";
        }

        return null;
    }

    /// <summary>A member's node id: its <c>node-id.</c> role, or its address when it has none.</summary>
    public static string NodeIdOf(Member member)
    {
        foreach (var role in member.Roles)
            if (role.StartsWith(NodeIdPrefix, StringComparison.Ordinal))
                return role[NodeIdPrefix.Length..];
        return member.Address.ToString();
    }

    /// <summary>A member's shard count, or null when it has no <c>shards.</c> role.</summary>
    public static int? ShardCountOf(Member member)
    {
        foreach (var role in member.Roles)
            if (role.StartsWith(ShardsPrefix, StringComparison.Ordinal)
                && int.TryParse(role.AsSpan(ShardsPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var count))
                return count;
        return null;
    }
}
