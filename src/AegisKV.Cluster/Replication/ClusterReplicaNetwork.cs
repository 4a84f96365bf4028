using System.Globalization;
using Akka.Actor;
using Akka.Cluster;
using AegisKV.Cluster.Custody;
using AegisKV.Cluster.Placement;
using AegisKV.Core.Replication;
using AegisKV.Replication;
using AegisKV.Storage.Replication;

namespace AegisKV.Cluster.Replication;

/// <summary>
/// Replica groups over an Akka cluster: a member is a node id and (the start of) its store id, both read from the
/// member's roles; messages go to the <see cref="ReplicaHost"/> of the member's node; a new shard's group is the
/// replication factor's first-ranked data nodes (<see cref="Rendezvous"/>, as placement ranks them), recorded through
/// custody so that every node agrees on it.
/// </summary>
public sealed class ClusterReplicaNetwork : IReplicaNetwork
{
    private readonly ActorSystem _system;
    private readonly Akka.Cluster.Cluster _cluster;
    private readonly string _nodeId;
    private readonly int _shards;
    private readonly int _replicationFactor;
    private readonly ClusterCustody _custody;
    private IActorRef? _host;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (IActorRef? Host, long At)> _hosts = new(StringComparer.Ordinal);

    /// <summary>The network of this node (<paramref name="nodeId"/>, data directory <paramref name="storeId"/>).</summary>
    public ClusterReplicaNetwork(ActorSystem system, string nodeId, string storeId, int shards, int replicationFactor, ReplicaOptions options,
        ReplicaMetadataStore metadata, ClusterCustody custody, ReplicationStatus status)
    {
        Status = status;
        _system = system;
        _cluster = Akka.Cluster.Cluster.Get(system);
        _nodeId = nodeId;
        _shards = shards;
        _replicationFactor = replicationFactor;
        _custody = custody;
        Options = options;
        Metadata = metadata;
        Self = MemberId(nodeId, storeId);
    }

    /// <inheritdoc />
    public string Self { get; }

    /// <inheritdoc />
    public ReplicaOptions Options { get; }

    /// <inheritdoc />
    public ReplicaMetadataStore Metadata { get; }

    /// <inheritdoc />
    public ReplicationStatus Status { get; }

    /// <summary>A member id: the node id, a slash and the first eight characters of the store id.</summary>
    public static string MemberId(string nodeId, string storeId) => nodeId + "/" + storeId[..Math.Min(8, storeId.Length)];

    /// <summary>The node id of a member id.</summary>
    public static string NodeIdOf(string member) => member.IndexOf('/') is var slash and >= 0 ? member[..slash] : member;

    /// <summary>True when <paramref name="group"/> (member ids joined by commas, as custody records it) has a member on <paramref name="nodeId"/>.</summary>
    public static bool GroupHasNode(string group, string nodeId)
    {
        foreach (var member in group.Split(','))
            if (NodeIdOf(member) == nodeId) return true;
        return false;
    }

    /// <summary>True when a shard's custody record is a replica group rather than a single holder.</summary>
    public static bool IsGroup(string record) => record.Contains(',') || record.Contains('/');

    /// <summary>Sets this node's host, which messages for its own members go to without a trip through remoting.</summary>
    public void AttachHost(IActorRef host) => _host = host;

    /// <inheritdoc />
    public void Send(int shardId, ReplicaMessage message)
    {
        var envelope = new ReplicaEnvelope(shardId, message);
        var nodeId = NodeIdOf(message.To);
        if (nodeId == _nodeId)
        {
            _host?.Tell(envelope);
            return;
        }

        if (HostOf(nodeId) is { } host) host.Tell(envelope);
        else Status.MessageDropped();
    }

    // The host on a member's node: looked up in the membership at most once a second per node (a node restarted elsewhere
    // is found again within that), and resolved to a reference once per address, not per message as a selection is.
    private IActorRef? HostOf(string nodeId)
    {
        var now = Environment.TickCount64;
        if (_hosts.TryGetValue(nodeId, out var cached) && now - cached.At < 1000) return cached.Host;
        IActorRef? host = null;
        foreach (var member in _cluster.State.Members)
        {
            if (member.Status is MemberStatus.Down or MemberStatus.Removed || ClusterRoles.NodeIdOf(member) != nodeId) continue;
            host = cached.Host is { } known && known.Path.Address.Equals(member.Address)
                ? known
                : ((ExtendedActorSystem)_system).Provider.ResolveActorRef(new RootActorPath(member.Address) / "user" / ReplicaHost.Name);
            break;
        }

        _hosts[nodeId] = (host, now);
        return host;
    }

    /// <inheritdoc />
    public GroupConfiguration? InitialGroup(int shardId)
    {
        var candidates = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var member in _cluster.State.Members)
        {
            if (member.Status != MemberStatus.Up || ClusterRoles.ShardCountOf(member) != _shards || ClusterRoles.StoreIdOf(member) is not { } storeId) continue;
            candidates[ClusterRoles.NodeIdOf(member)] = storeId;
        }

        if (candidates.Count < _replicationFactor) return null;
        var ranked = Rendezvous.Rank(shardId.ToString(CultureInfo.InvariantCulture), candidates.Keys);
        return new GroupConfiguration([.. ranked.Take(_replicationFactor).Select(nodeId => MemberId(nodeId, candidates[nodeId]))]);
    }

    /// <inheritdoc />
    public async Task<GroupConfiguration?> RecordedGroupAsync(int shardId, GroupConfiguration proposed)
    {
        var recorded = await _custody.RecordGroupAsync(shardId, string.Join(',', proposed.Members)).ConfigureAwait(false);
        return recorded is null ? null : new GroupConfiguration(recorded.Split(','));
    }
}
