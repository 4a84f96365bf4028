using System.Diagnostics.Metrics;

namespace AegisKV.Core;

/// <summary>
/// Instruments of one node's shard actors, on a meter of the node's <see cref="IMeterFactory"/> (two nodes in one
/// process count apart); the node exports them to Prometheus.
/// </summary>
public sealed class CoreMetrics
{
    /// <summary>Name of the meter.</summary>
    public const string MeterName = "AegisKV.Core";

    /// <summary>Creates the instruments on a meter of <paramref name="meters"/>, or on a meter of their own without one.</summary>
    public CoreMetrics(IMeterFactory? meters = null)
    {
        Meter = meters?.Create(MeterName) ?? new Meter(MeterName);
        ExpiredKeys = Meter.CreateCounter<long>("aegis_expired_keys", description: "Keys removed because their expiry passed.");
        Snapshots = Meter.CreateCounter<long>("aegis_shard_snapshots", description: "Shard snapshots saved.");
        OutOfMemoryRefusals = Meter.CreateCounter<long>("aegis_oom_refusals", description: "Writes refused at --max-memory.");
        EvictedKeys = Meter.CreateCounter<long>("aegis_evicted_keys", description: "Keys evicted past --max-memory by the eviction policy.");
        Handoffs = Meter.CreateCounter<long>("aegis_shard_handoffs", description: "Shards handed off to another node with their data.");
        HandoffBytes = Meter.CreateCounter<long>("aegis_handoff_bytes", "By", "Bytes of shard state shipped to other nodes in hand-offs.");
        RecoverySeconds = Meter.CreateHistogram<double>("aegis_shard_recovery_seconds", "s", "Time a shard took to recover from its snapshot and WAL.");
    }

    /// <summary>The meter all of this node's core instruments belong to.</summary>
    public Meter Meter { get; }

    /// <summary>Keys removed because their expiry passed.</summary>
    public Counter<long> ExpiredKeys { get; }

    /// <summary>Shard snapshots saved.</summary>
    public Counter<long> Snapshots { get; }

    /// <summary>Writes refused because the node was at --max-memory.</summary>
    public Counter<long> OutOfMemoryRefusals { get; }

    /// <summary>Keys evicted past --max-memory by the eviction policy.</summary>
    public Counter<long> EvictedKeys { get; }

    /// <summary>Shards this node handed off to another with their data.</summary>
    public Counter<long> Handoffs { get; }

    /// <summary>Bytes of shard state shipped to other nodes in hand-offs.</summary>
    public Counter<long> HandoffBytes { get; }

    /// <summary>Shard recoveries completed, with their duration.</summary>
    public Histogram<double> RecoverySeconds { get; }
}
