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
}
