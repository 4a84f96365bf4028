using System.Globalization;
using System.Text;
using AegisKV.Core.Replies;
using AegisKV.Core.Sharding;
using AegisKV.Server.Topology;

namespace AegisKV.Server.Resp;

// CLUSTER: the hash-slot questions a client can ask of any node, and the slot map in Redis Cluster's formats so
// cluster-aware clients send each key to the node its shard runs on (any node serves any key all the same);
// RANDOMKEY, which picks a shard first.
internal sealed partial class ClientSession
{
    private async Task<Reply> ClusterAsync(byte[][] arguments)
    {
        var sub = arguments[1];
        if (Ascii.EqualsIgnoreCase(sub, "KEYSLOT"u8))
            return arguments.Length == 3 ? Reply.Integer(KeySlots.SlotOf(arguments[2])) : Errors.WrongArity("cluster|keyslot");
        if (Ascii.EqualsIgnoreCase(sub, "HELP"u8))
            return new ArrayReply([.. HelpLines.Select(Bulk)]);
        var isQuestion = Ascii.EqualsIgnoreCase(sub, "INFO"u8) || Ascii.EqualsIgnoreCase(sub, "MYID"u8) || Ascii.EqualsIgnoreCase(sub, "NODES"u8)
                         || Ascii.EqualsIgnoreCase(sub, "SLOTS"u8) || Ascii.EqualsIgnoreCase(sub, "SHARDS"u8);
        if (!isQuestion) return Errors.UnknownSubcommand(sub, "cluster");
        if (arguments.Length != 2) return Errors.WrongArity("cluster|" + Encoding.ASCII.GetString(sub).ToLowerInvariant());
        if (_node.Topology is not { IsCluster: true } view) return Errors.Text("ERR This instance has cluster support disabled");

        var topology = await view.GetAsync().ConfigureAwait(false);
        // A TLS client is sent on to the nodes' TLS listeners, a plain one to their plain ones.
        if (_client.IsTls) topology = topology.WithTlsEndpoints();
        if (Ascii.EqualsIgnoreCase(sub, "MYID"u8)) return Bulk(ClusterTopology.RedisIdOf(topology.Self));
        if (Ascii.EqualsIgnoreCase(sub, "INFO"u8)) return Bulk(ClusterInfoText(topology));
        if (Ascii.EqualsIgnoreCase(sub, "NODES"u8)) return Bulk(ClusterNodesText(topology));
        return Ascii.EqualsIgnoreCase(sub, "SLOTS"u8) ? ClusterSlots(topology) : ClusterShards(topology);
    }

    private static readonly string[] HelpLines =
    [
        "CLUSTER <subcommand> [<arg> ...]. Subcommands are:",
        "INFO", "    Return information about the cluster.",
        "KEYSLOT <key>", "    Return the hash slot for <key>.",
        "MYID", "    Return this node's id.",
        "NODES", "    Return the cluster's nodes and the slots each serves, in Redis Cluster's format.",
        "SHARDS", "    Return the slot ranges and the node serving each.",
        "SLOTS", "    Return the slot ranges and the node serving each (deprecated by Redis in favour of SHARDS).",
    ];

    private static string ClusterInfoText(Topology.Topology topology)
    {
        var served = topology.Shards.Where(s => s.Owner is not null).Sum(s => s.LastSlot - s.FirstSlot + 1);
        var owners = topology.Shards.Select(s => s.Owner).Where(o => o is not null).Distinct().Count();
        var epoch = topology.Shards.Count == 0 ? 0 : topology.Shards.Max(s => s.Epoch);
        var inv = CultureInfo.InvariantCulture;
        return string.Create(inv,
            $"cluster_state:{(served == KeySlots.Count ? "ok" : "fail")}\r\ncluster_slots_assigned:{KeySlots.Count}\r\ncluster_slots_ok:{served}\r\n" +
            $"cluster_slots_pfail:0\r\ncluster_slots_fail:{KeySlots.Count - served}\r\ncluster_known_nodes:{topology.Nodes.Count}\r\ncluster_size:{owners}\r\n" +
            $"cluster_current_epoch:{epoch}\r\ncluster_my_epoch:{epoch}\r\n");
    }

    private static string ClusterNodesText(Topology.Topology topology)
    {
        var text = new StringBuilder();
        foreach (var node in topology.Nodes)
        {
            if (node.ClientEndpoint is null) continue;
            var flags = (node.NodeId == topology.Self ? "myself,master" : "master") + (node.Status == "Down" ? ",fail" : node.Reachable ? "" : ",fail?");
            var gossipPort = Akka.Actor.Address.Parse(node.Address).Port ?? 0;
            text.Append(CultureInfo.InvariantCulture, $"{node.RedisId} {node.ClientEndpoint}@{gossipPort} {flags} - 0 0 0 {(node.Reachable ? "connected" : "disconnected")}");
            foreach (var (first, last) in SlotRuns(topology, node.NodeId))
                text.Append(first == last ? $" {first}" : string.Create(CultureInfo.InvariantCulture, $" {first}-{last}"));
            text.Append('\n');
        }

        return text.ToString();
    }

    private static Reply ClusterSlots(Topology.Topology topology)
    {
        var ranges = new List<Reply>();
        foreach (var (first, last, owner) in OwnedRuns(topology))
        {
            var (host, port) = HostAndPort(owner.ClientEndpoint!);
            ranges.Add(new ArrayReply([Reply.Integer(first), Reply.Integer(last), new ArrayReply([Bulk(host), Reply.Integer(port), Bulk(owner.RedisId)])]));
        }

        return new ArrayReply([.. ranges]);
    }

    private static Reply ClusterShards(Topology.Topology topology)
    {
        var shards = new List<Reply>();
        foreach (var owner in topology.Nodes.Where(n => n.ClientEndpoint is not null))
        {
            var slots = SlotRuns(topology, owner.NodeId).SelectMany(r => new Reply[] { Reply.Integer(r.First), Reply.Integer(r.Last) }).ToArray();
            if (slots.Length == 0) continue;
            var (host, port) = HostAndPort(owner.ClientEndpoint!);
            var node = new MapReply(
            [
                Bulk("id"), Bulk(owner.RedisId), Bulk("port"), Reply.Integer(port), Bulk("ip"), Bulk(host), Bulk("endpoint"), Bulk(host),
                Bulk("role"), Bulk("master"), Bulk("replication-offset"), Reply.Integer(0), Bulk("health"), Bulk(owner.Reachable ? "online" : "failed"),
            ]);
            shards.Add(new MapReply([Bulk("slots"), new ArrayReply(slots), Bulk("nodes"), new ArrayReply([node])]));
        }

        return new ArrayReply([.. shards]);
    }

    // Consecutive slots whose shards run on the same node, merged into one range per run.
    private static List<(int First, int Last, TopologyNode Owner)> OwnedRuns(Topology.Topology topology)
    {
        var runs = new List<(int First, int Last, TopologyNode Owner)>();
        foreach (var shard in topology.Shards)
        {
            if (topology.Node(shard.Owner) is not { ClientEndpoint: not null } owner) continue;
            if (runs.Count > 0 && runs[^1].Owner == owner && runs[^1].Last + 1 == shard.FirstSlot) runs[^1] = (runs[^1].First, shard.LastSlot, owner);
            else runs.Add((shard.FirstSlot, shard.LastSlot, owner));
        }

        return runs;
    }

    private static IEnumerable<(int First, int Last)> SlotRuns(Topology.Topology topology, string nodeId) =>
        OwnedRuns(topology).Where(r => r.Owner.NodeId == nodeId).Select(r => (r.First, r.Last));

    private static (string Host, int Port) HostAndPort(string endpoint)
    {
        var colon = endpoint.LastIndexOf(':');
        return (endpoint[..colon].Trim('[', ']'), int.Parse(endpoint.AsSpan(colon + 1), CultureInfo.InvariantCulture));
    }

    // Shards are asked one at a time from a random one on, so an empty shard is skipped, not answered.
    private async Task<Reply> RandomKeyAsync()
    {
        var shards = _node.Router.ShardCount;
        var first = Random.Shared.Next(shards);
        for (var i = 0; i < shards; i++)
        {
            var reply = await CommandRouter.ShardAsync(_inbox, (first + i) % shards, AegisKV.Core.Commands.CommandId.RandomKey, []).ConfigureAwait(false);
            if (reply is not BulkReply { IsNull: true }) return reply;
        }

        return Reply.Nil;
    }
}
