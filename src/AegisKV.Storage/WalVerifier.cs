namespace AegisKV.Storage;

/// <summary>
/// Offline check of a data directory (<c>wal/</c> segments and <c>snapshots/</c>) without an actor system and
/// without modifying anything; backs <c>aegis wal verify --data-dir DIR</c>. Do not run it against a directory
/// a live node is writing: the active segment may look torn.
/// </summary>
public static class WalVerifier
{
    /// <summary>Name of the segment directory below the data directory.</summary>
    public const string WalDirectoryName = "wal";

    /// <summary>Name of the snapshot directory below the data directory.</summary>
    public const string SnapshotDirectoryName = "snapshots";

    /// <summary>Checks every segment and snapshot file below <paramref name="dataDirectory"/>.</summary>
    /// <exception cref="DirectoryNotFoundException">The data directory does not exist.</exception>
    public static WalVerifyReport Verify(string dataDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        var root = Path.GetFullPath(dataDirectory);
        if (!Directory.Exists(root))
            throw new DirectoryNotFoundException($"Data directory {root} does not exist.");

        var reports = new List<WalFileReport>();
        VerifySegments(Path.Combine(root, WalDirectoryName), reports);
        VerifySnapshots(Path.Combine(root, SnapshotDirectoryName), reports);
        return new WalVerifyReport(root, reports);
    }

    private static void VerifySegments(string directory, List<WalFileReport> reports)
    {
        if (!Directory.Exists(directory))
            return;
        var files = new List<(long Position, string Path)>();
        foreach (var path in Directory.EnumerateFiles(directory, "*" + WalFormat.SegmentFileExtension))
        {
            if (WalFormat.TryParseSegmentFileName(Path.GetFileName(path), out var position))
                files.Add((position, path));
            else
                reports.Add(new WalFileReport(path, WalFileKind.Segment, WalFileStatus.Corrupt, 0, new FileInfo(path).Length, 0, "file name is not {position:D20}.wal"));
        }
        files.Sort((a, b) => a.Position.CompareTo(b.Position));
        var sink = new CountingSink();
        for (var i = 0; i < files.Count; i++)
            reports.Add(VerifySegment(files[i].Path, files[i].Position, isLast: i == files.Count - 1, sink));
    }

    private static WalFileReport VerifySegment(string path, long position, bool isLast, CountingSink sink)
    {
        var data = File.ReadAllBytes(path);
        var status = WalFormat.ReadSegmentHeader(data, out var headerPosition, out var error);
        if (status == SegmentHeaderStatus.Truncated && isLast)
            return new WalFileReport(path, WalFileKind.Segment, WalFileStatus.TornTail, 0, data.Length, 0, error);
        if (status != SegmentHeaderStatus.Valid)
            return new WalFileReport(path, WalFileKind.Segment, WalFileStatus.Corrupt, 0, data.Length, 0, error);
        if (headerPosition != position)
            return new WalFileReport(path, WalFileKind.Segment, WalFileStatus.Corrupt, 0, data.Length, 16, $"header position {headerPosition} does not match the file name");

        var result = SegmentScanner.Scan(data, WalFormat.SegmentHeaderSize, sink);
        if (result.FirstBadOffset < 0)
            return new WalFileReport(path, WalFileKind.Segment, WalFileStatus.Intact, result.Records, data.Length, null, null);
        // Only a bad tail of the last segment is the benign trace of a crash mid-write.
        var torn = isLast && result.CorruptRegions == 0 && result.HasBadTail && result.TailTorn;
        return new WalFileReport(path, WalFileKind.Segment, torn ? WalFileStatus.TornTail : WalFileStatus.Corrupt,
            result.Records, data.Length, result.FirstBadOffset, result.FirstBadReason);
    }

    private static void VerifySnapshots(string directory, List<WalFileReport> reports)
    {
        if (!Directory.Exists(directory))
            return;
        var files = new List<string>(Directory.EnumerateFiles(directory, "*" + WalFormat.SnapshotFileExtension, SearchOption.AllDirectories));
        files.Sort(StringComparer.Ordinal);
        foreach (var path in files)
        {
            var data = File.ReadAllBytes(path);
            if (!SnapshotFile.TryDecode(data, out var content, out var offset, out var reason))
            {
                reports.Add(new WalFileReport(path, WalFileKind.Snapshot, WalFileStatus.Corrupt, 0, data.Length, offset, reason));
                continue;
            }
            if (!SnapshotFile.TryParseFileName(Path.GetFileName(path), out var sequenceNr, out _) || sequenceNr != content!.SequenceNr)
            {
                reports.Add(new WalFileReport(path, WalFileKind.Snapshot, WalFileStatus.Corrupt, 0, data.Length, 0, "file name does not match the snapshot's sequence number"));
                continue;
            }
            reports.Add(new WalFileReport(path, WalFileKind.Snapshot, WalFileStatus.Intact, 1, data.Length, null, null));
        }
    }

    private sealed class CountingSink : ISegmentScanSink
    {
        public void OnRecord(int offset, ReadOnlySpan<byte> record)
        {
        }

        public void OnCorruption(int offset, string reason, int resumeOffset, int dropFrom)
        {
        }
    }
}
