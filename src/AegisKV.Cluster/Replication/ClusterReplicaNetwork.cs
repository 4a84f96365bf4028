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
/// member's roles; messages go to the <see cref="ReplicaHost"/> of the member's node, through that node's
/// <see cref="NodeOutbox"/> (what the node's shards send it meanwhile goes as one); a new shard's group is the
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
    private readonly TimeSpan _replaceAfter;
    private readonly long _startedAt = Environment.TickCount64;
    // When each node was last seen up and reachable, as far as this process knows (it knows nothing from before it started).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _lastSeen = new(StringComparer.Ordinal);
    private IActorRef? _host;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (NodeOutbox.Peer Peer, long At, bool Open)> _hosts = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, NodeOutbox> _outboxes = new(StringComparer.Ordinal);

    /// <summary>The network of this node (<paramref name="nodeId"/>, data directory <paramref name="storeId"/>).</summary>
    public ClusterReplicaNetwork(ActorSystem system, string nodeId, string storeId, int shards, int replicationFactor, ReplicaOptions options,
        ReplicaMetadataStore metadata, ClusterCustody custody, ReplicationStatus status, TimeSpan replaceAfter)
    {
        _replaceAfter = replaceAfter;
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
        // How long a node has been gone is counted from when this node last saw it, whether or not it leads anything then.
        system.Scheduler.Advanced.ScheduleRepeatedly(TimeSpan.Zero, TimeSpan.FromSeconds(1), () => UpDataMembers());
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

        if (!_outboxes.TryGetValue(nodeId, out var outbox)) outbox = _outboxes.GetOrAdd(nodeId, id => new NodeOutbox(() => PeerOf(id), Status));
        outbox.Post(envelope);
    }

    // The host on a member's node, and whether it reads batches: looked up in the membership at most once a second per
    // node (a node restarted elsewhere is found again within that), and resolved to a reference once per address, not
    // per message as a selection is. A breaker in front of each node: open while this node's failure detector finds it
    // unreachable, when what is sent would only wait in remoting's buffers or end as dead letters; the primary sends
    // it what it lacks once it is back.
    private NodeOutbox.Peer PeerOf(string nodeId)
    {
        var now = Environment.TickCount64;
        if (_hosts.TryGetValue(nodeId, out var cached) && now - cached.At < 1000) return cached.Peer;
        var peer = new NodeOutbox.Peer(null, false);
        var open = false;
        var state = _cluster.State;
        foreach (var member in state.Members)
        {
            if (member.Status is MemberStatus.Down or MemberStatus.Removed || ClusterRoles.NodeIdOf(member) != nodeId) continue;
            // This node's own failure detector: another node's trouble reaching it is not this node's.
            open = state.Unreachable.Contains(member) && !_cluster.FailureDetector.IsAvailable(member.Address);
            if (!open)
                peer = new NodeOutbox.Peer(cached.Peer.Host is { } known && known.Path.Address.Equals(member.Address)
                    ? known
                    : ((ExtendedActorSystem)_system).Provider.ResolveActorRef(new RootActorPath(member.Address) / "user" / ReplicaHost.Name),
                    member.Roles.Contains(ClusterRoles.ReplicaBatches));
            break;
        }

        if (open && !(_hosts.TryGetValue(nodeId, out var before) && before.Open)) Status.BreakerOpened();
        Status.Breaker(nodeId, open);
        _hosts[nodeId] = (peer, now, open);
        return peer;
    }

    /// <inheritdoc />
    public GroupConfiguration? InitialGroup(int shardId)
    {
        var ranked = RankedDataMembers(shardId, reachableOnly: false);
        return ranked.Count < _replicationFactor ? null : new GroupConfiguration([.. ranked.Take(_replicationFactor)]);
    }

    /// <inheritdoc />
    public GroupStep? NextGroupStep(int shardId, GroupConfiguration current)
    {
        var now = Environment.TickCount64;
        var up = UpDataMembers();

        MemberPresence Presence(string member)
        {
            var nodeId = NodeIdOf(member);
            // Back with another store: its data directory was replaced, so this member's copy is gone.
            if (up.TryGetValue(nodeId, out var present)) return present == member ? MemberPresence.Present : MemberPresence.Lost;
            var since = _lastSeen.GetValueOrDefault(nodeId, _startedAt);
            return now - since > (long)_replaceAfter.TotalMilliseconds ? MemberPresence.Lost : MemberPresence.Absent;
        }

        return GroupRefill.Next(current, _replicationFactor, Self, Presence, RankedDataMembers(shardId, reachableOnly: true), NodeIdOf);
    }

    /// <inheritdoc />
    public async Task<bool> RecordGroupChangeAsync(int shardId, GroupConfiguration group, long sequence)
    {
        // Most changes of epoch restate the same group: no round when this node's replica already holds it.
        if (_custody.LastSeenRecord(shardId) is { } seen && GroupRecord.IsGroup(seen) && GroupRecord.Members(seen).SequenceEqual(group.Members, StringComparer.Ordinal))
            return true;
        var record = GroupRecord.Format(group.Members, sequence);
        var written = await _custody.RewriteAsync(shardId, current =>
            current is not null && GroupRecord.IsGroup(current) && GroupRecord.Sequence(current) >= sequence ? current : record).ConfigureAwait(false);
        return written is not null;
    }

    // Node id → member id of every data node up and reachable now, each noted as seen now.
    private Dictionary<string, string> UpDataMembers()
    {
        var now = Environment.TickCount64;
        var up = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (nodeId, member) in DataMembers(reachableOnly: true))
        {
            up[nodeId] = member;
            _lastSeen[nodeId] = now;
        }

        return up;
    }

    // Member ids of the data nodes that are up (and reachable, when asked), best-ranked for the shard first.
    private List<string> RankedDataMembers(int shardId, bool reachableOnly)
    {
        var members = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (nodeId, member) in DataMembers(reachableOnly)) members[nodeId] = member;
        return [.. Rendezvous.Rank(shardId.ToString(CultureInfo.InvariantCulture), members.Keys).Select(nodeId => members[nodeId])];
    }

    // Node id and member id of each data node of this cluster that is up (and reachable, when asked).
    private IEnumerable<(string NodeId, string Member)> DataMembers(bool reachableOnly)
    {
        var state = _cluster.State;
        foreach (var member in state.Members)
        {
            if (member.Status != MemberStatus.Up || ClusterRoles.ShardCountOf(member) != _shards || ClusterRoles.StoreIdOf(member) is not { } storeId) continue;
            if (reachableOnly && state.Unreachable.Contains(member)) continue;
            var nodeId = ClusterRoles.NodeIdOf(member);
            yield return (nodeId, MemberId(nodeId, storeId));
        }
    }

    /// <inheritdoc />
    public async Task<GroupConfiguration?> RecordedGroupAsync(int shardId, GroupConfiguration proposed)
    {
        var recorded = await _custody.RecordGroupAsync(shardId, GroupRecord.Format(proposed.Members)).ConfigureAwait(false);
        return recorded is null ? null : new GroupConfiguration(GroupRecord.Members(recorded));
    }
}
