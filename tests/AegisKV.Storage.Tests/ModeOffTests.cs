using Akka.Actor;
using Xunit.Abstractions;

namespace AegisKV.Storage.Tests;

public sealed class ModeOffTests(ITestOutputHelper output) : WalTestKit(output, """
    akka.persistence.journal.aegis-wal.mode = off
    akka.persistence.snapshot-store.aegis-wal.mode = off
    """)
{
    [Fact]
    public async Task Mode_off_creates_no_files_and_still_recovers_within_the_process()
    {
        var (actor, _) = await StartAsync(Sys, "memory");
        await AppendManyAsync(actor, "e", 3);
        Assert.Equal(3, await actor.Ask<long>(EventLogActor.TakeSnapshot.Instance, Timeout));
        await AppendAsync(actor, "e-4");
        Assert.Equal(2, await actor.Ask<long>(new EventLogActor.DeleteTo(2), Timeout));

        var watcher = CreateTestProbe();
        watcher.Watch(actor);
        actor.Tell(PoisonPill.Instance);
        await watcher.ExpectTerminatedAsync(actor, Timeout);
        var (_, recovered) = await StartAsync(Sys, "memory");

        Assert.Equal(["e-1", "e-2", "e-3", "e-4"], recovered.Events);
        Assert.Equal(4, recovered.LastSequenceNr);
        Assert.False(Directory.Exists(DataDirectory), "mode off must not create any file or directory");
        var stats = await StatsAsync(Sys);
        Assert.Equal(WalMode.Off, stats.Mode);
        Assert.Equal(0, stats.Fsyncs);
        Assert.Equal(0, stats.BytesWritten);
    }
}
