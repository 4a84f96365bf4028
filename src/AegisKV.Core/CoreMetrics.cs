using System.Diagnostics.Metrics;

namespace AegisKV.Core;

/// <summary>Instruments of the shard actors; the node exports them to Prometheus.</summary>
public static class CoreMetrics
{
    /// <summary>The meter all core instruments belong to.</summary>
    public static readonly Meter Meter = new("AegisKV.Core");

    /// <summary>Keys removed because their expiry passed.</summary>
    public static readonly Counter<long> ExpiredKeys = Meter.CreateCounter<long>("aegis_expired_keys", description: "Keys removed because their expiry passed.");

    /// <summary>Shard snapshots saved.</summary>
    public static readonly Counter<long> Snapshots = Meter.CreateCounter<long>("aegis_shard_snapshots", description: "Shard snapshots saved.");

    /// <summary>Writes refused because the node was at --max-memory.</summary>
    public static readonly Counter<long> OutOfMemoryRefusals = Meter.CreateCounter<long>("aegis_oom_refusals", description: "Writes refused at --max-memory.");

    /// <summary>Keys evicted past --max-memory by the eviction policy.</summary>
    public static readonly Counter<long> EvictedKeys = Meter.CreateCounter<long>("aegis_evicted_keys", description: "Keys evicted past --max-memory by the eviction policy.");

    /// <summary>Shards this node handed off to another with their data.</summary>
    public static readonly Counter<long> Handoffs = Meter.CreateCounter<long>("aegis_shard_handoffs", description: "Shards handed off to another node with their data.");

    /// <summary>Bytes of shard state shipped to other nodes in hand-offs.</summary>
    public static readonly Counter<long> HandoffBytes = Meter.CreateCounter<long>("aegis_handoff_bytes", "By", "Bytes of shard state shipped to other nodes in hand-offs.");

    /// <summary>Shard recoveries completed, with their duration.</summary>
    public static readonly Histogram<double> RecoverySeconds = Meter.CreateHistogram<double>("aegis_shard_recovery_seconds", "s", "Time a shard took to recover from its snapshot and WAL.");
}
