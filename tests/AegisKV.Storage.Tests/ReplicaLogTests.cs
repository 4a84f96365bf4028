using Akka.Event;
using AegisKV.Storage.Replication;

namespace AegisKV.Storage.Tests;

/// <summary>The WAL as replication uses it: shipping records between two logs, checked appends and cuts.</summary>
public sealed class ReplicaLogTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "aegis-replica-log-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private WalLog Open(string name) =>
        WalLog.Open(new WalJournalSettings(Path.Combine(_root, name), WalMode.Fsync, 64 * 1024, TimeSpan.FromSeconds(1)), NoLogger.Instance);

    // Events (from, to] of "p" in epoch `epoch`, each its own atomic write unless `atomic` groups them all.
    private static async Task WriteAsync(WalLog wal, long from, long to, long epoch, bool atomic = false)
    {
        var command = new WriteCommand(256);
        for (var sequenceNr = from; sequenceNr <= to; sequenceNr++)
        {
            var ends = !atomic || sequenceNr == to;
            var offset = command.Buffer.Length;
            var length = WalRecordCodec.WriteEvent(command.Buffer, "p", sequenceNr, epoch, !ends, "", 1, "", System.Text.Encoding.UTF8.GetBytes($"e{epoch}:{sequenceNr}"));
            command.AddRecord(new EncodedRecord("p", sequenceNr, offset, length, ends, epoch));
        }

        Assert.Null(await wal.Write(command));
    }

    private static List<string> Events(WalLog wal)
    {
        var events = new List<string>();
        wal.Replay("p", 1, long.MaxValue, long.MaxValue, view => events.Add(System.Text.Encoding.UTF8.GetString(view.Payload)));
        return events;
    }

    [Fact]
    public async Task Records_shipped_to_a_follower_should_replay_there_as_on_the_primary_with_their_epochs()
    {
        using var primary = Open("primary");
        await WriteAsync(primary, 1, 3, epoch: 1);
        await WriteAsync(primary, 4, 6, epoch: 2, atomic: true);
        var shipped = new WalReplicaLog(primary).Read("p", 1);
        Assert.Equal(6, shipped.Count);

        using (var follower = Open("follower"))
        {
            var log = new WalReplicaLog(follower);
            await log.Append("p", 0, 0, shipped.Take(3).ToList());
            await log.Append("p", 3, 1, shipped.Skip(3).ToList());
            Assert.Equal(Events(primary), Events(follower));
            Assert.Equal([1L, 1L, 2L], new long[] { 1, 3, 6 }.Select(s => log.EpochAt("p", s)!.Value));
        }

        // The epochs come back from the records themselves after a restart.
        using var reopened = Open("follower");
        Assert.Equal(2, reopened.EpochAt("p", 4));
        Assert.Null(reopened.EpochAt("p", 7));
    }

    [Fact]
    public async Task An_append_that_does_not_follow_on_should_be_refused_and_write_nothing()
    {
        using var primary = Open("primary");
        await WriteAsync(primary, 1, 4, epoch: 1);
        var shipped = new WalReplicaLog(primary).Read("p", 1);
        using var follower = Open("follower");
        var log = new WalReplicaLog(follower);
        await log.Append("p", 0, 0, shipped.Take(2).ToList());

        var wrongEpoch = await Assert.ThrowsAsync<ReplicaLogMismatchException>(() => log.Append("p", 2, 0, shipped.Skip(2).ToList()));
        Assert.Equal(1, wrongEpoch.ActualEpoch);
        var wrongPlace = await Assert.ThrowsAsync<ReplicaLogMismatchException>(() => log.Append("p", 3, 1, shipped.Skip(3).ToList()));
        Assert.Null(wrongPlace.ActualEpoch);
        await Assert.ThrowsAsync<ArgumentException>(() => log.Append("p", 3, 1, shipped.Skip(2).ToList()));
        Assert.Equal(2, follower.HighestSequenceNr("p"));
    }

    [Fact]
    public async Task Appends_pipelined_into_one_batch_should_each_see_the_one_before()
    {
        using var primary = Open("primary");
        await WriteAsync(primary, 1, 30, epoch: 3);
        var shipped = new WalReplicaLog(primary).Read("p", 1);
        using var follower = Open("follower");
        var log = new WalReplicaLog(follower);
        await Task.WhenAll(Enumerable.Range(0, 30).Select(i => log.Append("p", i, i == 0 ? 0 : 3, [shipped[i]])));
        Assert.Equal(Events(primary), Events(follower));
    }

    [Fact]
    public async Task A_divergent_suffix_should_be_cut_only_where_the_record_before_is_the_expected_one()
    {
        using var wal = Open("follower");
        await WriteAsync(wal, 1, 3, epoch: 1);
        await WriteAsync(wal, 4, 6, epoch: 2);
        var log = new WalReplicaLog(wal);

        var wrong = await Assert.ThrowsAsync<ReplicaLogMismatchException>(() => log.Truncate("p", 5, expectedEpochBefore: 1));
        Assert.Equal(2, wrong.ActualEpoch);
        Assert.Equal(6, wal.HighestSequenceNr("p"));

        await log.Truncate("p", 4, expectedEpochBefore: 1);
        await WriteAsync(wal, 4, 5, epoch: 3);
        Assert.Equal(["e1:1", "e1:2", "e1:3", "e3:4", "e3:5"], Events(wal));
        Assert.Equal(3, log.EpochAt("p", 5));
        Assert.Null(log.EpochAt("p", 6));
    }

    [Fact]
    public async Task Reading_for_shipping_should_never_split_an_atomic_write()
    {
        using var wal = Open("primary");
        await WriteAsync(wal, 1, 3, epoch: 1, atomic: true);
        await WriteAsync(wal, 4, 4, epoch: 1);
        var read = new WalReplicaLog(wal).Read("p", 1, maxRecords: 2);
        Assert.Equal([1L, 2L, 3L], read.Select(r => r.SequenceNr));
        Assert.Equal([false, false, true], read.Select(r => r.EndsAtomicWrite));
    }

    [Fact]
    public async Task Reading_for_shipping_should_return_an_atomic_write_longer_than_its_window_whole()
    {
        using var wal = Open("primary");
        await WriteAsync(wal, 1, 1500, epoch: 1, atomic: true);
        await WriteAsync(wal, 1501, 1502, epoch: 1);
        var read = new WalReplicaLog(wal).Read("p", 1, maxRecords: 2);
        Assert.Equal(1500, read.Count);
        Assert.True(read[^1].EndsAtomicWrite);
    }

    [Fact]
    public async Task A_reset_should_leave_the_log_ending_at_its_entry_with_no_record_and_appends_following_on()
    {
        using var primary = Open("primary");
        await WriteAsync(primary, 1, 11, epoch: 4);
        var shipped = new WalReplicaLog(primary).Read("p", 11);
        using (var wal = Open("follower"))
        {
            await WriteAsync(wal, 1, 3, epoch: 1);
            await WriteAsync(wal, 4, 12, epoch: 2);
            var log = new WalReplicaLog(wal);
            await log.Reset("p", 10, epoch: 4);
            Assert.Empty(Events(wal));
            Assert.Equal((10L, 10L, 4L), (wal.HighestSequenceNr("p"), log.DeletedTo("p"), log.EpochAt("p", 10)!.Value));
            Assert.Null(log.EpochAt("p", 5));
            await log.Append("p", 10, 4, shipped);
        }

        using var reopened = Open("follower");
        Assert.Equal(["e4:11"], Events(reopened));
        Assert.Equal((11L, 4L, 4L), (reopened.HighestSequenceNr("p"), reopened.EpochAt("p", 10)!.Value, reopened.EpochAt("p", 11)!.Value));
        Assert.Null(reopened.EpochAt("p", 9));
    }

    [Fact]
    public async Task Compaction_should_keep_where_a_reset_log_ends_and_its_epoch()
    {
        using (var wal = Open("follower"))
        {
            await WriteAsync(wal, 1, 3, epoch: 1);
            await new WalReplicaLog(wal).Reset("p", 10, epoch: 4);
            // Enough of another id to fill segments, then deleted: the segments holding the reset go.
            await FillAndDropAnotherIdAsync(wal);
        }

        using var reopened = Open("follower");
        Assert.Equal((10L, 4L), (reopened.HighestSequenceNr("p"), reopened.EpochAt("p", 10)!.Value));
        Assert.Empty(Events(reopened));
    }

    [Fact]
    public async Task The_epoch_where_a_compacted_log_starts_should_survive_its_records()
    {
        using (var wal = Open("primary"))
        {
            await WriteAsync(wal, 1, 5, epoch: 2);
            await FillAnotherIdAsync(wal);
            // In a later segment than the records deleted: the segment holding those goes.
            await WriteAsync(wal, 6, 6, epoch: 3);
            await wal.Delete("p", 5);
            await DropAnotherIdAsync(wal);
        }

        using var reopened = Open("primary");
        Assert.Equal((2L, 3L), (reopened.EpochAt("p", 5)!.Value, reopened.EpochAt("p", 6)!.Value));
        Assert.Null(reopened.EpochAt("p", 4));
    }

    // A replica that lost records discards its copy (ADR 0016): a reset clears the corruption, and the damage, still in
    // the file for the operator, is not held against the new log when the WAL opens again.
    [Fact]
    public async Task A_copy_reset_after_damage_should_open_whole_again_with_the_damage_still_reported()
    {
        using var primary = Open("primary");
        await WriteAsync(primary, 0, 3, epoch: 5);
        var shipped = new WalReplicaLog(primary).Read("p", 1);
        var directory = Path.Combine(_root, "copy", WalVerifier.WalDirectoryName);
        using (var wal = Open(Path.Combine("copy", WalVerifier.WalDirectoryName)))
        {
            await WriteAsync(wal, 0, 6, epoch: 2);
            await FillAnotherIdAsync(wal);
        }

        var segment = Directory.GetFiles(directory, "*.wal").Order(StringComparer.Ordinal).First();
        SegmentInspector.FlipByte(segment, SegmentInspector.IndexOf(segment, "e2:4"));
        using (var wal = Open(Path.Combine("copy", WalVerifier.WalDirectoryName)))
        {
            var log = new WalReplicaLog(wal);
            var corruption = log.CorruptionOf("p");
            Assert.NotNull(corruption);
            Assert.Equal(segment, corruption.FilePath);
            Assert.Null(log.CorruptionOf("q"));
            await log.Reset("p", 0, 0);
            Assert.Null(log.CorruptionOf("p"));
            await log.Append("p", 0, 0, shipped);
        }

        using var reopened = Open(Path.Combine("copy", WalVerifier.WalDirectoryName));
        Assert.Null(new WalReplicaLog(reopened).CorruptionOf("p"));
        Assert.Equal(["e5:1", "e5:2", "e5:3"], Events(reopened));
        Assert.True(WalVerifier.Verify(Path.Combine(_root, "copy")).HasCorruption);
    }

    // Fills segments with another id and deletes it: every segment before the active one is compacted away.
    private async Task FillAndDropAnotherIdAsync(WalLog wal)
    {
        await FillAnotherIdAsync(wal);
        await DropAnotherIdAsync(wal);
    }

    private static async Task FillAnotherIdAsync(WalLog wal)
    {
        var payload = new byte[2048];
        for (var sequenceNr = 1; sequenceNr <= 100; sequenceNr++)
        {
            var command = new WriteCommand(4096);
            var length = WalRecordCodec.WriteEvent(command.Buffer, "q", sequenceNr, 0, false, "", 1, "", payload);
            command.AddRecord(new EncodedRecord("q", sequenceNr, 0, length, true));
            Assert.Null(await wal.Write(command));
        }
    }

    private async Task DropAnotherIdAsync(WalLog wal)
    {
        var files = Directory.GetFiles(_root, "*.wal", SearchOption.AllDirectories).Length;
        await wal.Delete("q", long.MaxValue);
        await wal.Barrier();
        Assert.True(Directory.GetFiles(_root, "*.wal", SearchOption.AllDirectories).Length < files, "no segment was compacted");
    }
}
