using AegisKV.Replication;

namespace AegisKV.Replication.Tests;

public sealed class ReplicaLogTests
{
    private static readonly GroupConfiguration Three = new(["a", "b", "c"]);
    private static readonly GroupConfiguration Four = new(["a", "b", "c", "d"]);

    [Fact]
    public void The_configuration_should_be_the_newest_one_left_after_a_cut()
    {
        var log = new ReplicaLog([
            new LogEntry(1, 1, ReadOnlyMemory<byte>.Empty, EntryKind.EpochStart, Three),
            new LogEntry(1, 2, new byte[] { 1 }),
            new LogEntry(1, 3, ReadOnlyMemory<byte>.Empty, EntryKind.Configuration, Four),
            new LogEntry(1, 4, new byte[] { 2 }),
        ]);
        Assert.Equal((3L, Four), (log.ConfigurationSequence, log.Configuration));
        log.TruncateAfter(3);
        Assert.Equal((3L, Four), (log.ConfigurationSequence, log.Configuration));
        log.TruncateAfter(2);
        Assert.Equal((1L, Three), (log.ConfigurationSequence, log.Configuration));
        log.TruncateAfter(0);
        Assert.Equal(0, log.ConfigurationSequence);
        Assert.Null(log.Configuration);
    }

    [Fact]
    public void An_entry_that_does_not_follow_on_should_be_refused()
    {
        var log = new ReplicaLog();
        Assert.Throws<ArgumentException>(() => log.Add(new LogEntry(1, 2, ReadOnlyMemory<byte>.Empty)));
    }

    [Fact]
    public void A_compacted_log_should_keep_the_base_epoch_and_configuration()
    {
        var log = new ReplicaLog([
            new LogEntry(1, 1, ReadOnlyMemory<byte>.Empty, EntryKind.EpochStart, Three),
            new LogEntry(1, 2, new byte[] { 1 }),
            new LogEntry(2, 3, ReadOnlyMemory<byte>.Empty, EntryKind.EpochStart, Three),
            new LogEntry(2, 4, new byte[] { 2 }),
        ]);
        log.Compact(3);
        Assert.Equal((3L, 4L, 2L), (log.BaseSequence, log.LastSequence, log.LastEpoch));
        Assert.Equal(2L, log.EpochAt(3));
        Assert.Null(log.EpochAt(2));
        Assert.Equal(Three, log.Configuration);
        Assert.Equal(3, log.ConfigurationSequence);
        Assert.Throws<ArgumentOutOfRangeException>(() => log.After(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => log.TruncateAfter(2));
        log.TruncateAfter(3);
        Assert.Equal((3L, 2L, Three), (log.LastSequence, log.LastEpoch, log.Configuration));
    }

    [Fact]
    public void A_reset_log_should_start_after_the_snapshot()
    {
        var log = new ReplicaLog([new LogEntry(1, 1, ReadOnlyMemory<byte>.Empty, EntryKind.EpochStart, Three)]);
        log.Reset(new SnapshotBase(10, 3, Four));
        Assert.Equal((10L, 10L, 3L, Four), (log.BaseSequence, log.LastSequence, log.LastEpoch, log.Configuration));
        log.Add(new LogEntry(3, 11, new byte[] { 1 }));
        log.Add(new LogEntry(3, 12, new byte[] { 2 }));
        // The epoch reaches back past the base: a conflict there resumes after the base.
        Assert.Equal(10, log.StartOfEpochAt(12));
        Assert.Throws<ArgumentException>(() => log.Add(new LogEntry(3, 14, ReadOnlyMemory<byte>.Empty)));
    }
}
