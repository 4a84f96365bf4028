using Akka.Configuration;

namespace AegisKV.Storage;

/// <summary>Entry point for hosts: plugin ids and the embedded default configuration.</summary>
public static class WalStorage
{
    /// <summary>Config path (and plugin id) of the journal.</summary>
    public const string JournalPluginId = "akka.persistence.journal.aegis-wal";

    /// <summary>Config path (and plugin id) of the snapshot store.</summary>
    public const string SnapshotStorePluginId = "akka.persistence.snapshot-store.aegis-wal";

    private const string ResourceName = "AegisKV.Storage.reference.conf";

    /// <summary>The embedded <c>reference.conf</c>; add it with <c>WithFallback</c> below the host's own config.</summary>
    public static Config DefaultConfig() => ConfigurationFactory.FromResource(ResourceName, typeof(WalStorage).Assembly);

    /// <summary>
    /// Config pointing both plugins below one data directory (<c>wal/</c> and <c>snapshots/</c>), the layout
    /// <see cref="WalVerifier.Verify"/> expects.
    /// </summary>
    public static Config DataDirectoryConfig(string dataDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        var wal = Quote(Path.Combine(dataDirectory, WalVerifier.WalDirectoryName));
        var snapshots = Quote(Path.Combine(dataDirectory, WalVerifier.SnapshotDirectoryName));
        return ConfigurationFactory.ParseString($"{JournalPluginId}.dir = {wal}\n{SnapshotStorePluginId}.dir = {snapshots}\n");
    }

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
