using System.Security.Cryptography;
using System.Text;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using AegisKV.Cluster;
using AegisKV.Cluster.Custody;
using AegisKV.Core.Sharding;

namespace AegisKV.Server.Topology;

/// <summary>
/// Builds a <see cref="Topology"/> from the cluster membership, sharding's own statistics (which shard runs on
/// which region) and this node's custody replica; kept for a second, as clients ask for slot maps often.
/// </summary>
public sealed class ClusterTopology
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(5);

    private readonly Akka.Cluster.Cluster _cluster;
    private readonly IActorRef _region;
    private readonly int _shards;
    private readonly CustodyView _custody;
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private (Topology Topology, long At)? _cached;
    private string?[] _lastOwners;

    /// <summary>Creates the view of a node whose shard region is <paramref name="region"/>.</summary>
    public ClusterTopology(ActorSystem system, IActorRef region, int shards, CustodyView custody, bool seeded)
    {
        _cluster = Akka.Cluster.Cluster.Get(system);
        _region = region;
        _shards = shards;
        _custody = custody;
        _lastOwners = new string?[shards];
        Seeded = seeded;
    }

    /// <summary>True when the node was started to join others (<c>--seeds</c>).</summary>
    public bool Seeded { get; }

    /// <summary>
    /// True when clients should see a cluster (Redis Cluster's answers): the node joined others, or others joined
    /// it. A node alone that was started alone answers as a standalone Redis.
    /// </summary>
    public bool IsCluster => Seeded || _cluster.State.Members.Count > 1;

    /// <summary>The 40-hex-digit id Redis clients see for <paramref name="nodeId"/>.</summary>
    public static string RedisIdOf(string nodeId) => Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(nodeId)));

    /// <summary>The topology, at most a second old.</summary>
    public async Task<Topology> GetAsync(CancellationToken cancellationToken = default)
    {
        if (_cached is { } fresh && Environment.TickCount64 - fresh.At < CacheFor.TotalMilliseconds) return fresh.Topology;
        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_cached is { } again && Environment.TickCount64 - again.At < CacheFor.TotalMilliseconds) return again.Topology;
            var topology = await BuildAsync().ConfigureAwait(false);
            _cached = (topology, Environment.TickCount64);
            return topology;
        }
        finally
        {
            _refresh.Release();
        }
    }

    /// <summary>
    /// Every shard's figures, asked of the shard itself wherever it runs (null for one that did not answer within
    /// <paramref name="timeout"/>: it is moving, or cannot be placed).
    /// </summary>
    public async Task<ShardStats?[]> ShardStatsAsync(TimeSpan timeout)
    {
        var asks = new Task<ShardStats>[_shards];
        for (var shard = 0; shard < _shards; shard++) asks[shard] = _region.Ask<ShardStats>(new GetShardStats(shard), timeout);
        var stats = new ShardStats?[_shards];
        for (var shard = 0; shard < _shards; shard++)
        {
            try
            {
                stats[shard] = await asks[shard].ConfigureAwait(false);
            }
            catch (AskTimeoutException)
            {
                // Left null: shown as unknown.
            }
        }

        return stats;
    }

    private async Task<Topology> BuildAsync()
    {
        var state = _cluster.State;
        var nodes = new List<TopologyNode>();
        var idByAddress = new Dictionary<Address, string>();
        foreach (var member in state.Members)
        {
            var nodeId = ClusterRoles.NodeIdOf(member);
            idByAddress[member.Address] = nodeId;
            nodes.Add(new TopologyNode(nodeId, RedisIdOf(nodeId), member.Address.ToString(), ClusterRoles.ClientEndpointOf(member),
                member.Status.ToString(), !state.Unreachable.Contains(member), [.. member.Roles.Order()])
            {
                TlsClientEndpoint = ClusterRoles.TlsClientEndpointOf(member),
            });
        }

        var owners = new string?[_shards];
        try
        {
            var stats = await _region.Ask<ClusterShardingStats>(new GetClusterShardingStats(AskTimeout), AskTimeout + TimeSpan.FromSeconds(1)).ConfigureAwait(false);
            foreach (var (address, region) in stats.Regions)
            {
                var owner = idByAddress.GetValueOrDefault(address.HasLocalScope ? _cluster.SelfAddress : address);
                foreach (var shardId in region.Stats.Keys)
                    if (int.TryParse(shardId, out var shard) && shard >= 0 && shard < _shards) owners[shard] = owner;
            }
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            // Sharding did not answer in time: handled below as no answer.
        }

        // Sharding answers nothing at all when any region is slow to answer (the cluster is busy or changing):
        // the owners last seen are a better answer than none.
        if (Array.TrueForAll(owners, o => o is null)) owners = _lastOwners;
        else _lastOwners = owners;

        var custody = _custody.Current;
        var shards = new List<TopologyShard>(_shards);
        for (var shard = 0; shard < _shards; shard++)
        {
            var (first, last) = KeySlots.SlotRange(shard, _shards);
            var register = custody.Get(CustodyKeys.Shard(shard));
            shards.Add(new TopologyShard(shard, first, last, owners[shard], register.Value, register.Accepted.Counter));
        }

        var leader = state.Leader is { } leaderAddress && idByAddress.TryGetValue(leaderAddress, out var leaderId) ? leaderId : null;
        return new Topology(nodes, shards, idByAddress.GetValueOrDefault(_cluster.SelfAddress) ?? "", leader);
    }
}
