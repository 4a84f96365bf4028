using Akka.Event;

namespace AegisKV.Storage.Tests;

/// <summary>The log below the journal actor, driven directly.</summary>
public sealed class WalLogTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "aegis-storage-tests", Guid.NewGuid().ToString("N"));

    private WalLog Open(WalMode mode = WalMode.Fsync, long segmentSize = 64 * 1024)
        => WalLog.Open(new WalJournalSettings(_directory, mode, segmentSize, TimeSpan.FromSeconds(1)), NoLogger.Instance);

    /// <summary>Writes events <paramref name="from"/>..<paramref name="to"/> as one batch; <paramref name="payloadBytes"/> sets each payload's size.</summary>
    internal static Task<System.Collections.Immutable.IImmutableList<Exception>> WriteAsync(WalLog wal, string persistenceId, long from, long to, int? payloadBytes = null)
    {
        var command = new WriteCommand(256);
        for (var sequenceNr = from; sequenceNr <= to; sequenceNr++)
        {
            var offset = command.Buffer.Length;
            var length = WalRecordCodec.WriteEvent(command.Buffer, persistenceId, sequenceNr, 0, false, "", 1, "",
                payloadBytes is { } size ? new byte[size] : System.Text.Encoding.UTF8.GetBytes($"{persistenceId}:{sequenceNr}"));
            command.AddRecord(new EncodedRecord(persistenceId, sequenceNr, offset, length, true));
        }
        return wal.Write(command);
    }

    internal static List<long> Replay(WalLog wal, string persistenceId, long from = 1, long to = long.MaxValue, long max = long.MaxValue)
    {
        var sequenceNrs = new List<long>();
        wal.Replay(persistenceId, from, to, max, record => sequenceNrs.Add(record.SequenceNr));
        return sequenceNrs;
    }

    // A data directory of format 1 is read as it is; new records go to a new segment of format 2, so the old
    // segment stays one that a format 1 build reads whole, and that build refuses the new one by its header.
    [Fact]
    public async Task A_format_one_segment_is_read_and_never_appended_to()
    {
        Directory.CreateDirectory(_directory);
        var old = Path.Combine(_directory, WalFormat.SegmentFileName(0));
        File.WriteAllBytes(old, Convert.FromHexString("414547495357414C0100000020000000000000000000000000000000403D408C" + FormatTests.FormatOneEventRecord));
        var oldLength = new FileInfo(old).Length;
        using (var wal = Open())
        {
            Assert.Equal([7L], Replay(wal, "pid-1"));
            await WriteAsync(wal, "pid-1", 8, 9);
        }

        var segments = Directory.GetFiles(_directory, "*.wal").Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(2, segments.Length);
        Assert.Equal(oldLength, new FileInfo(old).Length);
        Assert.Equal(WalFormat.Version, BitConverter.ToUInt16(File.ReadAllBytes(segments[1]), 8));
        using var reopened = Open();
        Assert.Equal([7L, 8L, 9L], Replay(reopened, "pid-1"));
    }

    [Theory]
    [InlineData(WalMode.Fsync)]
    [InlineData(WalMode.Off)]
    public async Task Replay_honours_from_to_and_max(WalMode mode)
    {
        using var wal = Open(mode);
        await WriteAsync(wal, "p", 1, 10);

        Assert.Equal([3L, 4L, 5L], Replay(wal, "p", from: 3, to: 5));
        Assert.Equal([8L, 9L], Replay(wal, "p", from: 8, max: 2));
        Assert.Empty(Replay(wal, "unknown"));
        Assert.Equal(10, wal.HighestSequenceNr("p"));
    }

    // After a failed write the writer's later writes, computed on top of it, must never become durable:
    // refused while fenced, and after the release refused up to the sequence number it names.
    [Fact]
    public async Task A_fenced_writer_is_refused_up_to_what_it_releases_and_accepted_after()
    {
        using var wal = Open();
        Assert.Null(await WriteAsync(wal, "p", 1, 2));
        await wal.Unfence("p", long.MaxValue); // as the WAL does when a write of "p" fails

        Assert.IsType<WalWriteException>(Assert.Single(await WriteAsync(wal, "p", 3, 3)));
        Assert.Null(await WriteAsync(wal, "other", 1, 1));
        await wal.Unfence("p", 4); // the writer took back everything it handed out, through 4
        Assert.IsType<WalWriteException>(Assert.Single(await WriteAsync(wal, "p", 4, 4))); // one of those, arriving late
        Assert.Null(await WriteAsync(wal, "p", 5, 6));
        Assert.Null(await WriteAsync(wal, "p", 7, 7));

        Assert.Equal([1L, 2L, 5L, 6L, 7L], Replay(wal, "p"));
    }

    // Mode write acknowledges once the OS has a write and promises an fsync within the interval: after
    // that, an operating system crash (which keeps only what was synced) must keep every write.
    [Fact]
    public async Task Mode_write_syncs_in_the_background_so_an_os_crash_after_the_interval_keeps_every_write()
    {
        var wal = WalLog.Open(new WalJournalSettings(_directory, WalMode.Write, 64 * 1024, TimeSpan.FromMilliseconds(200)), NoLogger.Instance);
        await WriteAsync(wal, "p", 1, 20);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        List<(string Path, long SyncedLength, long Length)> synced;
        while ((synced = wal.SyncedLengths()).Any(s => s.SyncedLength < s.Length) && clock.Elapsed < TimeSpan.FromSeconds(5))
            await Task.Delay(20);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"nothing synced the writes for {clock.Elapsed.TotalSeconds:F1} s with a 200 ms interval");

        // The crash: the log stops, and the files keep only their synced bytes.
        wal.Dispose();
        foreach (var (path, length, _) in synced)
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Write);
            file.SetLength(length);
        }

        using var after = Open(WalMode.Write);
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), Replay(after, "p"));
    }

    [Fact]
    public async Task Deleting_to_max_value_does_not_hide_events_written_later()
    {
        using (var wal = Open())
        {
            await WriteAsync(wal, "p", 1, 5);
            await wal.Delete("p", long.MaxValue);
            await WriteAsync(wal, "p", 6, 7);
            Assert.Equal([6L, 7L], Replay(wal, "p"));
        }
        using var reopened = Open();
        Assert.Equal([6L, 7L], Replay(reopened, "p"));
        Assert.Equal(7, reopened.HighestSequenceNr("p"));
    }

    [Fact]
    public async Task Concurrent_writes_to_many_ids_are_all_durable_after_reopening()
    {
        using (var wal = Open(segmentSize: 4096))
        {
            var writes = new List<Task>();
            for (var id = 0; id < 20; id++)
            {
                var persistenceId = $"p{id}";
                writes.Add(Task.Run(async () =>
                {
                    for (var sequenceNr = 1; sequenceNr <= 25; sequenceNr++)
                        await WriteAsync(wal, persistenceId, sequenceNr, sequenceNr);
                }));
            }
            await Task.WhenAll(writes);
            Assert.True(wal.Stats().Segments > 1);
        }
        using var reopened = Open(segmentSize: 4096);
        for (var id = 0; id < 20; id++)
            Assert.Equal(Enumerable.Range(1, 25).Select(i => (long)i), Replay(reopened, $"p{id}"));
    }

    [Fact]
    public async Task A_closed_log_fails_new_writes()
    {
        var wal = Open();
        wal.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => WriteAsync(wal, "p", 1, 1));
    }

    [Fact]
    public void Directories_can_be_fsynced_on_unix()
    {
        Directory.CreateDirectory(_directory);
        FileSystem.SyncDirectory(_directory);
        Assert.Equal(!OperatingSystem.IsWindows(), FileSystem.DirectorySyncAvailable);
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }
}
