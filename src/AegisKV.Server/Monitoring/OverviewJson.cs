using System.Text.Json;
using AegisKV.Cluster.Monitoring;
using AegisKV.Cluster.Replication;
using AegisKV.Core.Sharding;

namespace AegisKV.Server.Monitoring;

/// <summary>
/// The JSON of an <see cref="Overview"/>, which <c>/admin/overview</c>, the dashboard's event stream and <c>aegis top</c>
/// share: <c>members</c> (status, role, addresses, figures), <c>shards</c> (where each runs, its group, state, lag).
/// </summary>
public static class OverviewJson
{
    /// <summary>Writes <paramref name="overview"/> as one JSON object.</summary>
    public static void Write(Utf8JsonWriter json, Overview overview)
    {
        var topology = overview.Topology;
        var (primaries, followers) = Roles(topology);
        json.WriteStartObject();
        json.WriteString("self", topology.Self);
        json.WriteString("leader", topology.Leader);
        json.WriteNumber("at", overview.At.ToUnixTimeMilliseconds());
        json.WriteStartArray("members");
        foreach (var node in topology.Nodes)
        {
            json.WriteStartObject();
            json.WriteString("nodeId", node.NodeId);
            json.WriteString("status", node.Status);
            json.WriteBoolean("reachable", node.Reachable);
            json.WriteBoolean("leader", node.NodeId == topology.Leader);
            json.WriteString("client", node.ClientEndpoint ?? node.TlsClientEndpoint);
            json.WriteString("gossip", node.Address);
            json.WriteNumber("primaries", primaries.GetValueOrDefault(node.NodeId));
            json.WriteNumber("followers", followers.GetValueOrDefault(node.NodeId));
            if (overview.Figures.TryGetValue(node.NodeId, out var figures)) WriteFigures(json, figures);
            else json.WriteNull("figures");
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("shards");
        foreach (var shard in topology.Shards)
        {
            var stats = overview.Shards[shard.Shard];
            json.WriteStartObject();
            json.WriteNumber("shard", shard.Shard);
            json.WriteString("slots", $"{shard.FirstSlot}-{shard.LastSlot}");
            json.WriteString("owner", shard.Owner);
            json.WriteNumber("epoch", shard.Epoch);
            json.WriteStartArray("followers");
            foreach (var follower in Followers(shard.Holder, shard.Owner)) json.WriteStringValue(follower);
            json.WriteEndArray();
            WriteShardFigures(json, stats);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>The overview as UTF-8 JSON bytes.</summary>
    public static byte[] ToUtf8(Overview overview, bool indented = false)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(4096);
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = indented })) Write(json, overview);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A shard's own figures, as <c>/admin/shards</c> and the overview show them: state, keys, bytes, lag (null unanswered).</summary>
    public static void WriteShardFigures(Utf8JsonWriter json, ShardStats? stats)
    {
        json.WriteString("state", stats is null ? null : StateName(stats.Mode));
        WriteNumberOrNull(json, "keys", stats?.Keys);
        WriteNumberOrNull(json, "bytes", stats?.Bytes);
        WriteNumberOrNull(json, "lag", stats is { Lag: >= 0 } ? stats.Lag : null);
    }

    /// <summary>The name the admin API and the dashboard give <paramref name="mode"/>.</summary>
    public static string StateName(ShardMode mode) => mode switch
    {
        ShardMode.Serving => "serving",
        ShardMode.Claiming => "claiming",
        ShardMode.Refusing => "refusing",
        _ => "handing-off",
    };

    private static void WriteFigures(Utf8JsonWriter json, NodeFigures f)
    {
        json.WriteStartObject("figures");
        json.WriteNumber("uptimeSeconds", f.UptimeSeconds);
        json.WriteBoolean("ready", f.Ready);
        json.WriteNumber("opsPerSecond", Math.Round(f.OpsPerSecond, 1));
        json.WriteNumber("errorsPerSecond", Math.Round(f.ErrorsPerSecond, 1));
        json.WriteNumber("p99Micros", f.P99Micros);
        json.WriteNumber("memoryUsedBytes", f.MemoryUsedBytes);
        json.WriteNumber("memoryMaxBytes", f.MemoryMaxBytes);
        json.WriteNumber("diskFreeBytes", f.DiskFreeBytes);
        json.WriteNumber("diskTotalBytes", f.DiskTotalBytes);
        json.WriteNumber("fsyncP99Micros", f.FsyncP99Micros);
        json.WriteNumber("fsyncsPerSecond", Math.Round(f.FsyncsPerSecond, 1));
        json.WriteNumber("connections", f.Connections);
        json.WriteNumber("keys", f.Keys);
        json.WriteNumber("shardsServing", f.ShardsServing);
        json.WriteNumber("breakersOpen", f.BreakersOpen);
        json.WriteNumber("groupsUnderReplicated", f.GroupsUnderReplicated);
        json.WriteEndObject();
    }

    // Per node: shards it runs (the primary, where there are groups) and copies it keeps for others.
    private static (Dictionary<string, int> Primaries, Dictionary<string, int> Followers) Roles(Topology.Topology topology)
    {
        var primaries = new Dictionary<string, int>(StringComparer.Ordinal);
        var followers = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var shard in topology.Shards)
        {
            if (shard.Owner is { } owner) primaries[owner] = primaries.GetValueOrDefault(owner) + 1;
            foreach (var follower in Followers(shard.Holder, shard.Owner)) followers[follower] = followers.GetValueOrDefault(follower) + 1;
        }

        return (primaries, followers);
    }

    // The nodes of a replicated shard's group other than the one it runs on; none for a shard with a single holder.
    private static IEnumerable<string> Followers(string? holder, string? owner)
    {
        if (holder is null || !GroupRecord.IsGroup(holder)) yield break;
        foreach (var member in GroupRecord.Members(holder))
        {
            var nodeId = ClusterReplicaNetwork.NodeIdOf(member);
            if (nodeId != owner) yield return nodeId;
        }
    }

    private static void WriteNumberOrNull(Utf8JsonWriter json, string name, long? value)
    {
        if (value is { } number) json.WriteNumber(name, number);
        else json.WriteNull(name);
    }
}
