using System.Globalization;
using System.Text;
using AegisKV.Storage;

namespace AegisKV.Server.Resp;

/// <summary>The text of INFO and the values CONFIG GET shows, both read-only views of the node.</summary>
internal static class ServerInfo
{
    /// <summary>The Redis version AegisKV's command semantics follow; clients pick features by it.</summary>
    public const string RedisCompatibleVersion = "7.2.0";

    private static readonly string[] DefaultSections = ["server", "clients", "memory", "persistence", "stats", "replication", "keyspace"];

    public static string Render(NodeContext node, IReadOnlyList<string> requested)
    {
        var all = requested.Count == 0 || requested.Contains("all") || requested.Contains("everything") || requested.Contains("default");
        var text = new StringBuilder();
        foreach (var section in DefaultSections)
        {
            if (!all && !requested.Contains(section)) continue;
            if (text.Length > 0) text.Append("\r\n");
            Append(text, node, section);
        }

        return text.ToString();
    }

    private static void Append(StringBuilder text, NodeContext node, string section)
    {
        var settings = node.Settings;
        var stats = node.Statistics;
        var memory = node.Memory;
        var inv = CultureInfo.InvariantCulture;
        switch (section)
        {
            case "server":
                text.Append("# Server\r\n")
                    .Append("redis_version:").Append(RedisCompatibleVersion).Append("\r\n")
                    .Append("aegis_version:").Append(NodeContext.Version).Append("\r\n")
                    .Append("redis_mode:standalone\r\n")
                    .Append("node_id:").Append(settings.NodeId).Append("\r\n")
                    .Append("os:").Append(Environment.OSVersion.Platform).Append("\r\n")
                    .Append("arch_bits:").Append(IntPtr.Size * 8).Append("\r\n")
                    .Append("process_id:").Append(Environment.ProcessId).Append("\r\n")
                    .Append("tcp_port:").Append(node.ClientPort).Append("\r\n")
                    .Append("uptime_in_seconds:").Append((long)stats.Uptime.TotalSeconds).Append("\r\n")
                    .Append("uptime_in_days:").Append((long)stats.Uptime.TotalDays).Append("\r\n")
                    .Append("shards:").Append(settings.Shards).Append("\r\n");
                break;
            case "clients":
                text.Append("# Clients\r\n").Append("connected_clients:").Append(stats.Connections).Append("\r\n");
                break;
            case "memory":
                text.Append("# Memory\r\n")
                    .Append("used_memory:").Append(memory.UsedBytes).Append("\r\n")
                    .Append("used_memory_human:").Append(Human(memory.UsedBytes)).Append("\r\n")
                    .Append("used_memory_rss:").Append(Environment.WorkingSet).Append("\r\n")
                    .Append("maxmemory:").Append(settings.MaxMemoryBytes).Append("\r\n")
                    .Append("maxmemory_human:").Append(Human(settings.MaxMemoryBytes)).Append("\r\n")
                    .Append("maxmemory_policy:noeviction\r\n");
                break;
            case "persistence":
                text.Append("# Persistence\r\n")
                    .Append("loading:0\r\n")
                    .Append("aof_enabled:").Append(settings.Wal == WalMode.Off ? 0 : 1).Append("\r\n")
                    .Append("wal_mode:").Append(settings.Wal.ToString().ToLowerInvariant()).Append("\r\n");
                break;
            case "stats":
                text.Append("# Stats\r\n")
                    .Append("total_connections_received:").Append(stats.TotalConnections).Append("\r\n")
                    .Append("total_commands_processed:").Append(stats.Commands).Append("\r\n")
                    .Append("expired_keys:").Append(memory.ExpiredKeys).Append("\r\n")
                    .Append("evicted_keys:0\r\n");
                break;
            case "replication":
                text.Append("# Replication\r\n").Append("role:master\r\n").Append("connected_slaves:0\r\n");
                break;
            case "keyspace":
                text.Append("# Keyspace\r\n");
                if (memory.Keys > 0)
                    text.Append(inv, $"db0:keys={memory.Keys},expires={memory.VolatileKeys},avg_ttl=0\r\n");
                break;
        }
    }

    public static IEnumerable<(string Name, string Value)> ConfigParameters(NodeContext node)
    {
        var s = node.Settings;
        var inv = CultureInfo.InvariantCulture;
        yield return ("bind", s.Bind.Host);
        yield return ("port", node.ClientPort.ToString(inv));
        yield return ("databases", "1");
        yield return ("maxmemory", s.MaxMemoryBytes.ToString(inv));
        yield return ("maxmemory-policy", "noeviction");
        yield return ("appendonly", s.Wal == WalMode.Off ? "no" : "yes");
        yield return ("appendfsync", s.Wal switch { WalMode.Fsync => "always", WalMode.Write => "everysec", _ => "no" });
        yield return ("save", "");
        yield return ("dir", Path.GetFullPath(s.DataDirectory));
        yield return ("timeout", "0");
        yield return ("replica-read-only", "yes");
        yield return ("slave-read-only", "yes");
        yield return ("cluster-enabled", "no");
        yield return ("proto-max-bulk-len", s.Limits.MaxBulkLength.ToString(inv));
        // Never show the token itself.
        yield return ("requirepass", s.AuthToken is null ? "" : "********");
    }

    private static string Human(long bytes) => bytes switch
    {
        >= 1L << 30 => (bytes / (double)(1L << 30)).ToString("0.00", CultureInfo.InvariantCulture) + "G",
        >= 1L << 20 => (bytes / (double)(1L << 20)).ToString("0.00", CultureInfo.InvariantCulture) + "M",
        >= 1L << 10 => (bytes / (double)(1L << 10)).ToString("0.00", CultureInfo.InvariantCulture) + "K",
        _ => bytes.ToString(CultureInfo.InvariantCulture) + "B",
    };
}
