using Akka.Configuration;

namespace AegisKV.Storage;

/// <summary>
/// Validated settings of <see cref="WalSnapshotStore"/>, read once from the plugin's config section
/// (<c>akka.persistence.snapshot-store.aegis-wal</c>).
/// </summary>
/// <param name="Directory">Directory holding one sub-directory of snapshot files per persistence id (key <c>dir</c>).</param>
/// <param name="Mode">Durability mode (key <c>mode</c>); <see cref="WalMode.Write"/> skips the fsync before the rename.</param>
public sealed record WalSnapshotStoreSettings(string Directory, WalMode Mode)
{
    /// <summary>Reads and validates the settings from a plugin config section.</summary>
    /// <exception cref="ArgumentException">A key is missing or has an invalid value; the message names the key.</exception>
    public static WalSnapshotStoreSettings Create(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var dir = config.GetString("dir", null);
        var settings = new WalSnapshotStoreSettings(dir ?? string.Empty, WalModeParser.Parse(config));
        settings.Validate();
        return settings;
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the offending key when a value is out of range.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Directory))
            throw new ArgumentException("Configuration key 'dir' must name a directory.", "dir");
        if (!Enum.IsDefined(Mode))
            throw new ArgumentException($"Invalid value '{Mode}' for configuration key 'mode'.", "mode");
    }
}
