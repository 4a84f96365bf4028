using AegisKV.Server.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AegisKV.Server.Health;

/// <summary>The node's own health checks, next to Akka.Hosting's actor-system and cluster checks.</summary>
internal static class NodeHealthChecks
{
    public static HealthCheckResult ShardsRecovered(NodeReadiness readiness) =>
        readiness.IsReady
            ? HealthCheckResult.Healthy($"{readiness.Shards} shards recovered")
            : HealthCheckResult.Unhealthy($"{readiness.Recovered} of {readiness.Shards} shards recovered");
}
