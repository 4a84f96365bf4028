namespace AegisKV.Storage;

/// <summary>
/// Offline listing of the persistence ids a data directory holds anything for (WAL records or
/// snapshots), read without an actor system and without modifying anything. Unreadable
/// records are skipped: finding the ids is all this is for; <see cref="WalVerifier"/> judges damage.
/// </summary>
public static class WalInventory
{
    /// <summary>Every persistence id with a record in <c>wal/</c> or a snapshot in <c>snapshots/</c>.</summary>
    public static IReadOnlySet<string> PersistenceIds(string dataDirectory)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var root = Path.GetFullPath(dataDirectory);
        var wal = Path.Combine(root, WalVerifier.WalDirectoryName);
        if (Directory.Exists(wal))
        {
            var sink = new IdSink(ids);
            foreach (var path in Directory.EnumerateFiles(wal, "*" + WalFormat.SegmentFileExtension))
            {
                var data = File.ReadAllBytes(path);
                if (WalFormat.ReadSegmentHeader(data, out _, out _) == SegmentHeaderStatus.Valid)
                    SegmentScanner.Scan(data, WalFormat.SegmentHeaderSize, sink);
            }
        }

        var snapshots = Path.Combine(root, WalVerifier.SnapshotDirectoryName);
        if (Directory.Exists(snapshots))
        {
            foreach (var path in Directory.EnumerateFiles(snapshots, "*" + WalFormat.SnapshotFileExtension, SearchOption.AllDirectories))
                if (SnapshotFile.TryDecode(File.ReadAllBytes(path), out var content, out _, out _))
                    ids.Add(content!.PersistenceId);
        }

        return ids;
    }

    private sealed class IdSink(HashSet<string> ids) : ISegmentScanSink
    {
        public void OnRecord(int offset, ReadOnlySpan<byte> record)
        {
            if (WalRecordCodec.TryParseBody(WalRecordCodec.Body(record), out var view) && view.Type == WalRecordType.Event)
                ids.Add(view.PersistenceId);
        }

        public void OnCorruption(int offset, string reason, int resumeOffset, int dropFrom)
        {
        }
    }
}
