using Xunit.Abstractions;

namespace AegisKV.Storage.Tests;

public sealed class CompactionTests(ITestOutputHelper output)
    : WalTestKit(output, "akka.persistence.journal.aegis-wal.segment-size = 1KiB")
{
    [Fact]
    public async Task Deleting_after_a_snapshot_removes_old_segments_and_recovery_uses_snapshot_and_tail()
    {
        var (actor, _) = await StartAsync(Sys, "compacted");
        await AppendManyAsync(actor, "e", 100);
        var before = Segments();
        Assert.True(before.Length >= 4, $"expected several segments, got {before.Length}");

        Assert.Equal(100, await actor.Ask<long>(EventLogActor.TakeSnapshot.Instance, Timeout));
        Assert.Equal(100, await actor.Ask<long>(new EventLogActor.DeleteTo(100), Timeout));
        await AwaitAssertAsync(() => Assert.Single(Segments()), Timeout);
        Assert.DoesNotContain(before[0], Segments());

        await AppendManyAsync(actor, "tail", 3);
        var node = await RestartAsync(Sys);
        var (recoveredActor, recovered) = await StartAsync(node, "compacted");

        Assert.Equal(Enumerable.Range(1, 100).Select(i => $"e-{i}").Concat(["tail-1", "tail-2", "tail-3"]), recovered.Events);
        Assert.Equal(103, recovered.LastSequenceNr);
        Assert.Equal(104, await AppendAsync(recoveredActor, "next"));
    }

    [Fact]
    public async Task The_highest_sequence_number_survives_deleting_every_event_and_compacting_its_segments()
    {
        var (quiet, _) = await StartAsync(Sys, "quiet");
        await AppendManyAsync(quiet, "q", 5);
        Assert.Equal(5, await quiet.Ask<long>(new EventLogActor.DeleteTo(long.MaxValue), Timeout));
        var first = Segments()[0];

        // Another id fills and deletes several segments, which compacts the one holding quiet's records and marker.
        var (busy, _) = await StartAsync(Sys, "busy");
        await AppendManyAsync(busy, "b", 40);
        Assert.Equal(40, await busy.Ask<long>(new EventLogActor.DeleteTo(40), Timeout));
        await AwaitAssertAsync(() => Assert.DoesNotContain(first, Segments()), Timeout);

        var node = await RestartAsync(Sys);
        var (quietAgain, quietRecovered) = await StartAsync(node, "quiet");
        Assert.Empty(quietRecovered.Events);
        Assert.Equal(5, quietRecovered.LastSequenceNr);
        Assert.Equal(6, await AppendAsync(quietAgain, "q-6"));
        var (_, busyRecovered) = await StartAsync(node, "busy");
        Assert.Empty(busyRecovered.Events);
        Assert.Equal(40, busyRecovered.LastSequenceNr);
    }

    [Fact]
    public async Task Deleting_part_of_an_id_keeps_its_remaining_events()
    {
        var (actor, _) = await StartAsync(Sys, "partial");
        await AppendManyAsync(actor, "e", 30);
        Assert.Equal(20, await actor.Ask<long>(new EventLogActor.DeleteTo(20), Timeout));

        var node = await RestartAsync(Sys);
        var (_, recovered) = await StartAsync(node, "partial");

        Assert.Equal(Enumerable.Range(21, 10).Select(i => $"e-{i}"), recovered.Events);
        Assert.Equal(30, recovered.LastSequenceNr);
    }
}
