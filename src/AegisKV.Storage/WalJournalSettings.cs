using Akka.Configuration;

namespace AegisKV.Storage;

/// <summary>
/// Validated settings of <see cref="WalJournal"/>, read once from the plugin's config section
/// (<c>akka.persistence.journal.aegis-wal</c>).
/// </summary>
/// <param name="Directory">Directory holding the segment files (key <c>dir</c>).</param>
/// <param name="Mode">Durability mode (key <c>mode</c>).</param>
/// <param name="SegmentSize">Maximum size in bytes of one segment file (key <c>segment-size</c>).</param>
/// <param name="FsyncInterval">With <see cref="WalMode.Write"/>, the longest time written records wait for an fsync (key <c>fsync-interval</c>).</param>
public sealed record WalJournalSettings(string Directory, WalMode Mode, long SegmentSize, TimeSpan FsyncInterval)
{
    /// <summary>Smallest accepted <c>segment-size</c>; tiny segments are only useful in tests.</summary>
    public const long MinSegmentSize = 1024;

    /// <summary>Largest accepted <c>segment-size</c>: segments are scanned in memory and addressed with 32-bit offsets.</summary>
    public const long MaxSegmentSize = 1L << 30;

    /// <summary>Reads and validates the settings from a plugin config section.</summary>
    /// <exception cref="ArgumentException">A key is missing or has an invalid value; the message names the key.</exception>
    public static WalJournalSettings Create(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var dir = config.GetString("dir", null);
        if (string.IsNullOrWhiteSpace(dir))
            throw new ArgumentException("Configuration key 'dir' must name a directory.", "dir");
        var mode = WalModeParser.Parse(config);
        var segmentSize = config.GetByteSize("segment-size", 64L * 1024 * 1024) ?? 64L * 1024 * 1024;
        var interval = config.GetTimeSpan("fsync-interval", TimeSpan.FromSeconds(1), allowInfinite: false);
        var settings = new WalJournalSettings(dir, mode, segmentSize, interval);
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
        if (SegmentSize < MinSegmentSize || SegmentSize > MaxSegmentSize)
            throw new ArgumentException($"Configuration key 'segment-size' must be between {MinSegmentSize} and {MaxSegmentSize} bytes, got {SegmentSize}.", "segment-size");
        if (FsyncInterval <= TimeSpan.Zero)
            throw new ArgumentException($"Configuration key 'fsync-interval' must be positive, got {FsyncInterval}.", "fsync-interval");
    }
}
