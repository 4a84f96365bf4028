using AegisKV.Core.Sharding;
using AegisKV.Server.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AegisKV.Server.Health;

/// <summary>The node's own health checks, next to Akka.Hosting's actor-system and cluster checks.</summary>
internal static class NodeHealthChecks
{
    // Ready once every shard has recovered after start, and as long as every shard still serves
    // here (a shard that stopped, say after a journal failure, is recovering again).
    public static HealthCheckResult ShardsRecovered(NodeReadiness readiness, LocalShards serving) =>
        serving.Refused.Count > 0
            ? HealthCheckResult.Unhealthy($"{serving.Refused.Count} shard(s) refuse to serve, their WAL is corrupt: shard {string.Join(", shard ", serving.Refused.Keys.Order())}")
            : !readiness.IsReady
                ? HealthCheckResult.Unhealthy($"{readiness.Recovered} of {readiness.Shards} shards recovered")
                : serving.Count < readiness.Shards
                    ? HealthCheckResult.Unhealthy($"{serving.Count} of {readiness.Shards} shards serving")
                    : HealthCheckResult.Healthy($"{readiness.Shards} shards serving");
}
