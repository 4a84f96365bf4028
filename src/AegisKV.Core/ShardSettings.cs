using Akka.Configuration;

namespace AegisKV.Core;

/// <summary>How shards are cut and run; built once from the <c>aegis.shard</c> HOCON section.</summary>
/// <param name="ShardCount">Shards in the key space.</param>
/// <param name="SnapshotEvery">Events between snapshots.</param>
/// <param name="ExpirySweepInterval">Period of the background expiry sweep.</param>
/// <param name="ExpirySweepLimit">Most keys one sweep removes.</param>
/// <param name="JournalPluginId">Journal plugin for shard actors.</param>
/// <param name="SnapshotPluginId">Snapshot-store plugin for shard actors.</param>
public sealed record ShardSettings(
    int ShardCount,
    int SnapshotEvery,
    TimeSpan ExpirySweepInterval,
    int ExpirySweepLimit,
    string JournalPluginId,
    string SnapshotPluginId)
{
    /// <summary>Most shards a cluster can have; SCAN cursors reserve 16 bits for the shard.</summary>
    public const int MaxShardCount = 65536;

    /// <summary>The embedded defaults of this assembly.</summary>
    public static Config DefaultConfig() =>
        ConfigurationFactory.FromResource<ShardSettings>("AegisKV.Core.reference.conf");

    /// <summary>Reads and validates <c>aegis.shard</c> from <paramref name="config"/> (defaults as fallback).</summary>
    public static ShardSettings Create(Config config)
    {
        var section = config.WithFallback(DefaultConfig()).GetConfig("aegis.shard");
        var settings = new ShardSettings(
            section.GetInt("count"),
            section.GetInt("snapshot-every"),
            section.GetTimeSpan("expiry-sweep-interval"),
            section.GetInt("expiry-sweep-limit"),
            section.GetString("journal-plugin"),
            section.GetString("snapshot-plugin"));
        settings.Validate();
        return settings;
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (ShardCount is < 1 or > MaxShardCount)
            throw new ArgumentException($"aegis.shard.count must be between 1 and {MaxShardCount}, not {ShardCount}");
        if (SnapshotEvery < 1) throw new ArgumentException("aegis.shard.snapshot-every must be at least 1");
        if (ExpirySweepInterval <= TimeSpan.Zero) throw new ArgumentException("aegis.shard.expiry-sweep-interval must be positive");
        if (ExpirySweepLimit < 1) throw new ArgumentException("aegis.shard.expiry-sweep-limit must be at least 1");
    }
}
