using AegisKV.Server.Hosting;
using AegisKV.Server.Resp;
using Prometheus;

namespace AegisKV.Server.Metrics;

/// <summary>Gauges read from the node's state just before each scrape.</summary>
internal static class NodeGauges
{
    private static readonly Gauge Keys = Prometheus.Metrics.CreateGauge("aegis_keys", "Keys held by this node's shards.");
    private static readonly Gauge VolatileKeys = Prometheus.Metrics.CreateGauge("aegis_keys_with_expiry", "Keys with an expiry held by this node's shards.");
    private static readonly Gauge MemoryUsed = Prometheus.Metrics.CreateGauge("aegis_memory_used_bytes", "Bytes of keys, values and per-key overhead held.");
    private static readonly Gauge MemoryMax = Prometheus.Metrics.CreateGauge("aegis_memory_max_bytes", "The --max-memory limit in bytes (0: unlimited).");
    private static readonly Gauge DiskFree = Prometheus.Metrics.CreateGauge("aegis_disk_free_bytes", "Free bytes on the data directory's file system.");
    private static readonly Gauge DiskUsed = Prometheus.Metrics.CreateGauge("aegis_disk_used_bytes", "Used bytes on the data directory's file system.");
    private static readonly Gauge Uptime = Prometheus.Metrics.CreateGauge("aegis_uptime_seconds", "Seconds since the node started.");
    private static readonly Gauge Ready = Prometheus.Metrics.CreateGauge("aegis_ready", "1 when the node is ready.");
    private static readonly Gauge ShardsServing = Prometheus.Metrics.CreateGauge("aegis_shards_owned", "Shards that run and serve on this node now.");
    private static readonly Gauge Members = Prometheus.Metrics.CreateGauge("aegis_cluster_members", "Cluster members as this node sees them, by status (unreachable counted apart).", "status");
    private static readonly string[] Statuses = ["joining", "weaklyup", "up", "leaving", "exiting", "down", "removed", "unreachable"];
    private static int _registered;

    public static void Register(NodeContext node, NodeReadiness readiness, Akka.Cluster.Cluster cluster)
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1) return;
        Prometheus.Metrics.DefaultRegistry.AddBeforeCollectCallback(() =>
        {
            Keys.Set(node.Memory.Keys);
            VolatileKeys.Set(node.Memory.VolatileKeys);
            MemoryUsed.Set(node.Memory.UsedBytes);
            MemoryMax.Set(node.Settings.MaxMemoryBytes);
            Uptime.Set(node.Statistics.Uptime.TotalSeconds);
            ShardsServing.Set(node.LocalShards.Count);
            var state = cluster.State;
            foreach (var status in Statuses)
            {
                var count = status == "unreachable"
                    ? state.Unreachable.Count
                    : state.Members.Count(m => m.Status.ToString().Equals(status, StringComparison.OrdinalIgnoreCase));
                Members.WithLabels(status).Set(count);
            }

            Ready.Set(readiness.IsReady ? 1 : 0);
            try
            {
                var drive = new DriveInfo(Path.GetFullPath(node.Settings.DataDirectory));
                DiskFree.Set(drive.AvailableFreeSpace);
                DiskUsed.Set(drive.TotalSize - drive.TotalFreeSpace);
            }
            catch (IOException)
            {
                // The data directory's file system is gone: leave the last values.
            }
        });
    }
}
