using System.Globalization;
using System.Text;
using AegisKV.Core.State;
using AegisKV.Storage;

namespace AegisKV.Server.Resp;

/// <summary>The text of INFO and the values CONFIG GET shows, both read-only views of the node.</summary>
internal static class ServerInfo
{
    /// <summary>The Redis version AegisKV's command semantics follow; clients pick features by it.</summary>
    public const string RedisCompatibleVersion = "7.2.0";

    private static readonly string[] DefaultSections = ["server", "clients", "memory", "persistence", "stats", "replication", "cpu", "modules", "errorstats", "cluster", "keyspace"];
    private static readonly string[] AllSections = [.. DefaultSections[..^3], "commandstats", .. DefaultSections[^3..]];

    public static string Render(NodeContext node, IReadOnlyList<string> requested)
    {
        // Named sections, plus the default or every section when asked for, each once, in INFO's order.
        var all = requested.Contains("all") || requested.Contains("everything");
        var defaults = requested.Count == 0 || requested.Contains("default");
        var sections = AllSections.Where(s => all || (defaults && DefaultSections.Contains(s)) || requested.Contains(s));
        var text = new StringBuilder();
        foreach (var section in sections)
        {
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
        void Line(string name, object value) => text.Append(name).Append(':').Append(Convert.ToString(value, inv)).Append("\r\n");
        switch (section)
        {
            case "server":
                text.Append("# Server\r\n");
                Line("redis_version", RedisCompatibleVersion);
                Line("aegis_version", NodeContext.Version);
                Line("redis_mode", node.Topology?.IsCluster == true ? "cluster" : "standalone");
                Line("node_id", settings.NodeId);
                Line("os", System.Runtime.InteropServices.RuntimeInformation.OSDescription);
                Line("arch_bits", IntPtr.Size * 8);
                Line("process_id", Environment.ProcessId);
                Line("tcp_port", node.ClientPort);
                Line("uptime_in_seconds", (long)stats.Uptime.TotalSeconds);
                Line("uptime_in_days", (long)stats.Uptime.TotalDays);
                Line("shards", settings.Shards);
                break;
            case "clients":
                text.Append("# Clients\r\n");
                Line("connected_clients", stats.Connections);
                Line("cluster_connections", 0);
                Line("maxclients", settings.Clients.MaxClients);
                Line("blocked_clients", memory.BlockedClients);
                Line("tracking_clients", 0);
                Line("clients_in_timeout_table", 0);
                break;
            case "memory":
                text.Append("# Memory\r\n");
                Line("used_memory", memory.UsedBytes);
                Line("used_memory_human", Human(memory.UsedBytes));
                Line("used_memory_rss", Environment.WorkingSet);
                Line("used_memory_rss_human", Human(Environment.WorkingSet));
                Line("maxmemory", memory.MaxBytes);
                Line("maxmemory_human", Human(memory.MaxBytes));
                Line("maxmemory_policy", memory.Policy.Name());
                break;
            case "persistence":
                text.Append("# Persistence\r\n");
                Line("loading", 0);
                Line("aof_enabled", settings.Wal == WalMode.Off ? 0 : 1);
                Line("wal_mode", settings.Wal.ToString().ToLowerInvariant());
                break;
            case "stats":
                text.Append("# Stats\r\n");
                Line("total_connections_received", stats.TotalConnections);
                Line("total_commands_processed", stats.Commands);
                Line("instantaneous_ops_per_sec", stats.OpsPerSecond);
                Line("rejected_connections", stats.RejectedConnections);
                Line("expired_keys", memory.ExpiredKeys);
                Line("evicted_keys", memory.EvictedKeys);
                Line("evicted_clients", 0);
                Line("keyspace_hits", memory.KeyspaceHits);
                Line("keyspace_misses", memory.KeyspaceMisses);
                Line("pubsub_channels", 0);
                Line("pubsub_patterns", 0);
                Line("total_error_replies", node.Metrics.ErrorStats().Sum(e => e.Value));
                break;
            case "replication":
                text.Append("# Replication\r\n");
                Line("role", "master");
                Line("connected_slaves", 0);
                Line("master_repl_offset", 0);
                ReplicationLines(node, Line);
                break;
            case "cpu":
                using (var process = System.Diagnostics.Process.GetCurrentProcess())
                {
                    text.Append("# CPU\r\n");
                    Line("used_cpu_sys", process.PrivilegedProcessorTime.TotalSeconds.ToString("0.000000", inv));
                    Line("used_cpu_user", process.UserProcessorTime.TotalSeconds.ToString("0.000000", inv));
                    Line("used_cpu_sys_children", "0.000000");
                    Line("used_cpu_user_children", "0.000000");
                }

                break;
            case "modules":
                text.Append("# Modules\r\n");
                break;
            case "commandstats":
                text.Append("# Commandstats\r\n");
                foreach (var (spec, calls, micros, failed) in node.Metrics.CommandStats())
                    text.Append(inv, $"cmdstat_{spec.LowerNameText}:calls={calls},usec={micros},usec_per_call={(double)micros / calls:0.00},rejected_calls=0,failed_calls={failed}\r\n");
                break;
            case "errorstats":
                text.Append("# Errorstats\r\n");
                foreach (var (prefix, count) in node.Metrics.ErrorStats()) text.Append(inv, $"errorstat_{prefix}:count={count}\r\n");
                break;
            case "cluster":
                text.Append("# Cluster\r\n");
                Line("cluster_enabled", node.Topology?.IsCluster == true ? 1 : 0);
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
        yield return ("bind", s.ClientBind.Host);
        yield return ("port", node.ClientPort.ToString(inv));
        yield return ("databases", "1");
        yield return ("maxmemory", node.Memory.MaxBytes.ToString(inv));
        yield return ("maxmemory-policy", node.Memory.Policy.Name());
        yield return ("maxmemory-samples", node.Memory.Samples.ToString(inv));
        yield return ("notify-keyspace-events", KeyspaceEvents.Format(node.Notifications.Flags));
        yield return ("list-max-listpack-size", "-2");
        yield return ("list-max-ziplist-size", "-2");
        yield return ("list-compress-depth", "0");
        yield return ("slowlog-log-slower-than", node.Metrics.SlowLog.ThresholdMicros.ToString(inv));
        yield return ("slowlog-max-len", node.Metrics.SlowLog.MaxLength.ToString(inv));
        yield return ("maxclients", s.Clients.MaxClients.ToString(inv));
        yield return ("hash-max-listpack-entries", node.Memory.HashListpackEntries.ToString(inv));
        yield return ("hash-max-listpack-value", node.Memory.HashListpackValue.ToString(inv));
        yield return ("hash-max-ziplist-entries", node.Memory.HashListpackEntries.ToString(inv));
        yield return ("hash-max-ziplist-value", node.Memory.HashListpackValue.ToString(inv));
        yield return ("appendonly", s.Wal == WalMode.Off ? "no" : "yes");
        yield return ("appendfsync", s.Wal switch { WalMode.Fsync => "always", WalMode.Write => "everysec", _ => "no" });
        yield return ("save", "");
        yield return ("dir", Path.GetFullPath(s.DataDirectory));
        yield return ("timeout", ((long)s.Clients.IdleTimeout.TotalSeconds).ToString(inv));
        yield return ("replica-read-only", "yes");
        yield return ("slave-read-only", "yes");
        yield return ("cluster-enabled", "no");
        yield return ("proto-max-bulk-len", s.Limits.MaxBulkLength.ToString(inv));
        // Never show the token itself.
        yield return ("requirepass", s.AuthToken is null ? "" : "********");
    }

    // Replica groups, after Redis's own fields (which clients read): the settings, the counters, and each group led here.
    private static void ReplicationLines(NodeContext node, Action<string, object> line)
    {
        line("aegis_replication_factor", node.Settings.ReplicationFactor);
        line("aegis_write_quorum", node.Settings.WriteQuorum.ToString());
        if (node.Settings.ReplicationFactor == 1) return;
        var status = node.Replication;
        line("aegis_groups_led", status.Led.Count);
        line("aegis_groups_under_replicated", status.UnderReplicated);
        line("aegis_view_changes", status.ViewChanges);
        line("aegis_replication_dropped", status.Dropped);
        line("aegis_circuit_breakers_opened", status.BreakersOpened);
        line("aegis_copies_discarded", status.CopiesDiscarded);
        foreach (var (shard, group) in status.Led.OrderBy(g => g.Key))
            line("group" + shard.ToString(CultureInfo.InvariantCulture),
                $"epoch={group.Epoch},members={string.Join('|', group.Members)},last={group.LastSequence},commit={group.Commit},lag={group.Lag},in_sync={group.InSync}");
    }

    private static string Human(long bytes) => bytes switch
    {
        >= 1L << 30 => (bytes / (double)(1L << 30)).ToString("0.00", CultureInfo.InvariantCulture) + "G",
        >= 1L << 20 => (bytes / (double)(1L << 20)).ToString("0.00", CultureInfo.InvariantCulture) + "M",
        >= 1L << 10 => (bytes / (double)(1L << 10)).ToString("0.00", CultureInfo.InvariantCulture) + "K",
        _ => bytes.ToString(CultureInfo.InvariantCulture) + "B",
    };
}
