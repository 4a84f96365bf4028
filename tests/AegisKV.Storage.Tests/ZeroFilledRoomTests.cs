using Akka.Event;

namespace AegisKV.Storage.Tests;

/// <summary>
/// Segments are zero-filled ahead of their records. Zeros after the last record are room not yet used; a write
/// cut short in that room is a torn tail; a complete record that does not verify is corruption, zeros after it or not.
/// </summary>
public sealed class ZeroFilledRoomTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "aegis-storage-tests", Guid.NewGuid().ToString("N"));

    private string Directory => Path.Combine(_root, WalVerifier.WalDirectoryName);

    private string Segment => Assert.Single(System.IO.Directory.GetFiles(Directory, "*" + WalFormat.SegmentFileExtension));

    private WalLog Open(long segmentSize = 64 * 1024) => WalLog.Open(new WalJournalSettings(Directory, WalMode.Fsync, segmentSize, TimeSpan.FromSeconds(1)), NoLogger.Instance);

    public void Dispose()
    {
        if (System.IO.Directory.Exists(_root))
            System.IO.Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Records_go_on_right_after_the_last_one_across_restarts_and_the_room_stays_zero()
    {
        using (var wal = Open())
            Assert.Null(await WalLogTests.WriteAsync(wal, "p", 1, 5));
        var end = SegmentInspector.DataEnd(Segment);
        var file = File.ReadAllBytes(Segment);
        Assert.Equal(64 * 1024, file.Length); // filled ahead up to the segment size
        Assert.True(file.AsSpan((int)end).IndexOfAnyExcept((byte)0) < 0, "the room after the records is not zero");
        Assert.Equal(WalFileStatus.Intact, Assert.Single(WalVerifier.Verify(_root).Files, f => f.Kind == WalFileKind.Segment).Status);

        using (var wal = Open())
        {
            Assert.Equal([1L, 2, 3, 4, 5], WalLogTests.Replay(wal, "p"));
            Assert.Equal(64 * 1024, new FileInfo(Segment).Length); // the room is kept, not cut off as a torn tail
            Assert.Null(await WalLogTests.WriteAsync(wal, "p", 6, 8));
        }

        var records = SegmentInspector.Records(Segment);
        Assert.Equal([1L, 2, 3, 4, 5, 6, 7, 8], records.Select(r => r.SequenceNr));
        Assert.Equal(end, records[5].Offset); // no gap where the first run's records ended
        using (var wal = Open())
            Assert.Equal([1L, 2, 3, 4, 5, 6, 7, 8], WalLogTests.Replay(wal, "p"));
        Assert.False(WalVerifier.Verify(_root).HasCorruption);
    }

    [Fact]
    public async Task A_write_cut_short_in_the_room_is_a_torn_tail_that_is_cut_off()
    {
        using (var wal = Open())
            Assert.Null(await WalLogTests.WriteAsync(wal, "p", 1, 5));
        var last = SegmentInspector.Records(Segment)[^1];
        // The crash came before the last write was synced, so no checkpoint holds it; its second half never reached the disk.
        File.Delete(Path.Combine(Directory, "checkpoint"));
        SegmentInspector.WriteAt(Segment, last.Offset + last.Length / 2, new string('\0', last.Length - last.Length / 2));

        var file = Assert.Single(WalVerifier.Verify(_root).Files, f => f.Kind == WalFileKind.Segment);
        Assert.Equal(WalFileStatus.TornTail, file.Status);
        Assert.Equal(last.Offset, file.FirstBadOffset);

        using (var wal = Open())
        {
            Assert.Equal([1L, 2, 3, 4], WalLogTests.Replay(wal, "p"));
            Assert.Null(await WalLogTests.WriteAsync(wal, "p", 5, 6));
        }
        using (var wal = Open())
            Assert.Equal([1L, 2, 3, 4, 5, 6], WalLogTests.Replay(wal, "p"));
        Assert.False(WalVerifier.Verify(_root).HasCorruption);
    }

    [Fact]
    public async Task A_write_larger_than_the_fill_ahead_still_leaves_room_after_it()
    {
        using (var wal = Open(segmentSize: 64L << 20))
        {
            Assert.Null(await WalLogTests.WriteAsync(wal, "p", 1, 1, payloadBytes: 3 << 20));
            Assert.Null(await WalLogTests.WriteAsync(wal, "p", 2, 3));
        }

        var room = new FileInfo(Segment).Length - SegmentInspector.DataEnd(Segment);
        Assert.True(room > 512 * 1024, $"{room} bytes of room after the records");
    }

    [Theory]
    [InlineData("body")]
    [InlineData("leading length")]
    public async Task A_complete_last_record_that_does_not_verify_is_corruption_though_zeros_follow(string damaged)
    {
        using (var wal = Open())
            Assert.Null(await WalLogTests.WriteAsync(wal, "p", 1, 5));
        var last = SegmentInspector.Records(Segment)[^1];
        SegmentInspector.FlipByte(Segment, damaged == "body" ? last.Offset + last.Length - 6 : last.Offset + 1);

        var file = Assert.Single(WalVerifier.Verify(_root).Files, f => f.Kind == WalFileKind.Segment);
        Assert.Equal(WalFileStatus.Corrupt, file.Status);
        Assert.Equal(last.Offset, file.FirstBadOffset);

        using var after = Open();
        var error = Assert.Throws<WalCorruptionException>(() => WalLogTests.Replay(after, "p"));
        Assert.Equal("p", error.PersistenceId);
    }
}
