using System.Diagnostics.Metrics;

namespace AegisKV.Cluster;

/// <summary>
/// Instruments of one node's placement, on a meter of the node's <see cref="IMeterFactory"/> (two nodes in one
/// process count apart); the node exports them to Prometheus.
/// </summary>
public sealed class ClusterMetrics
{
    /// <summary>Name of the meter.</summary>
    public const string MeterName = "AegisKV.Cluster";

    /// <summary>Creates the instruments on a meter of <paramref name="meters"/>, or on a meter of their own without one.</summary>
    public ClusterMetrics(IMeterFactory? meters = null)
    {
        Meter = meters?.Create(MeterName) ?? new Meter(MeterName);
        Rebalances = Meter.CreateCounter<long>("aegis_rebalances", description: "Shard moves started by rebalancing (counted where the coordinator runs).");
        GossipRefusals = Meter.CreateCounter<long>("aegis_gossip_connections_refused",
            description: "Node-to-node connections refused: the other side did not prove it holds the gossip secret, or showed no certificate the cluster CA signed.");
    }

    /// <summary>The meter this node's cluster instruments belong to.</summary>
    public Meter Meter { get; }

    /// <summary>Shard moves a rebalance started on this node's coordinator.</summary>
    public Counter<long> Rebalances { get; }

    /// <summary>Node-to-node connections refused by the gossip-secret handshake or by node-to-node TLS.</summary>
    public Counter<long> GossipRefusals { get; }
}
