using AegisKV.Server.Configuration;
using AegisKV.Server.Hosting;
using AegisKV.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AegisKV.Server.Health;

/// <summary>The node's own health checks, next to Akka.Hosting's actor-system and cluster checks.</summary>
internal static class NodeHealthChecks
{
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(5);
    private static HealthCheckResult _lastProbe = HealthCheckResult.Healthy();
    private static DateTime _lastProbeAt = DateTime.MinValue;

    public static HealthCheckResult ShardsRecovered(NodeReadiness readiness) =>
        readiness.IsReady
            ? HealthCheckResult.Healthy($"{readiness.Shards} shards recovered")
            : HealthCheckResult.Unhealthy($"{readiness.Recovered} of {readiness.Shards} shards recovered");

    // The WAL must be able to take writes: probe its directory, at most every few seconds.
    public static HealthCheckResult DataDirectoryWritable(NodeSettings settings)
    {
        if (settings.Wal == WalMode.Off) return HealthCheckResult.Healthy("wal off");
        if (DateTime.UtcNow - _lastProbeAt < ProbeInterval) return _lastProbe;
        var wal = Path.Combine(settings.DataDirectory, "wal");
        try
        {
            var probe = Path.Combine(Directory.Exists(wal) ? wal : settings.DataDirectory, ".health-probe");
            File.WriteAllBytes(probe, [1]);
            File.Delete(probe);
            _lastProbe = HealthCheckResult.Healthy("data directory writable");
        }
        catch (Exception e)
        {
            _lastProbe = HealthCheckResult.Unhealthy($"data directory not writable: {e.Message}");
        }

        _lastProbeAt = DateTime.UtcNow;
        return _lastProbe;
    }
}
