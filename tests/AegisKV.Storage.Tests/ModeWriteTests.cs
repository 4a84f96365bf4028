using Xunit.Abstractions;

namespace AegisKV.Storage.Tests;

public sealed class ModeWriteTests(ITestOutputHelper output) : WalTestKit(output, """
    akka.persistence.journal.aegis-wal.mode = write
    akka.persistence.journal.aegis-wal.fsync-interval = 100ms
    akka.persistence.snapshot-store.aegis-wal.mode = write
    """)
{
    [Fact]
    public async Task Mode_write_fsyncs_in_the_background_and_data_survives_a_clean_restart()
    {
        var (actor, _) = await StartAsync(Sys, "written");
        await AppendManyAsync(actor, "e", 10);
        Assert.Equal(WalMode.Write, (await StatsAsync(Sys)).Mode);
        await AwaitAssertAsync(async () => Assert.True((await StatsAsync(Sys)).Fsyncs >= 1), Timeout);

        var node = await RestartAsync(Sys);
        var (_, recovered) = await StartAsync(node, "written");

        Assert.Equal(Enumerable.Range(1, 10).Select(i => $"e-{i}"), recovered.Events);
    }
}
