using AegisKV.Core.Sharding;
using AegisKV.Server.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AegisKV.Server.Health;

/// <summary>The node's own health checks, next to Akka.Hosting's actor-system and cluster checks.</summary>
internal static class NodeHealthChecks
{
    // Ready once every shard of the cluster has answered after this node started, while no shard here waits
    // for a majority of the cluster (after a full stop) or refuses for a corrupt WAL, and until the node leaves.
    public static HealthCheckResult ShardsRecovered(NodeReadiness readiness, LocalShards serving, bool leaving) =>
        serving.Refused.Count > 0
            ? HealthCheckResult.Unhealthy($"{serving.Refused.Count} shard(s) refuse to serve, their WAL is corrupt: shard {string.Join(", shard ", serving.Refused.Keys.Order())}")
            : leaving
                ? HealthCheckResult.Unhealthy("the node is leaving the cluster")
                : !readiness.IsReady
                    ? HealthCheckResult.Unhealthy($"{readiness.Recovered} of {readiness.Shards} shards recovered")
                    : serving.Waiting.Count > 0
                        ? HealthCheckResult.Unhealthy($"{serving.Waiting.Count} shard(s) wait: {serving.Waiting.Values.First()}")
                        : HealthCheckResult.Healthy($"{serving.Count} shards serving on this node");
}
