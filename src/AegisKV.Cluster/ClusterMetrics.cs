using System.Diagnostics.Metrics;

namespace AegisKV.Cluster;

/// <summary>Instruments of placement; the node exports them to Prometheus.</summary>
public static class ClusterMetrics
{
    /// <summary>The meter the cluster's instruments belong to.</summary>
    public static readonly Meter Meter = new("AegisKV.Cluster");

    /// <summary>Shard moves a rebalance started on this node's coordinator.</summary>
    public static readonly Counter<long> Rebalances = Meter.CreateCounter<long>("aegis_rebalances", description: "Shard moves started by rebalancing (counted where the coordinator runs).");
}
