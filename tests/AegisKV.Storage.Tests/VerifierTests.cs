using Xunit.Abstractions;

namespace AegisKV.Storage.Tests;

public sealed class VerifierTests(ITestOutputHelper output) : WalTestKit(output)
{
    [Fact]
    public async Task An_intact_directory_verifies_clean_with_one_line_per_file()
    {
        var (actor, _) = await StartAsync(Sys, "clean");
        await AppendManyAsync(actor, "e", 4);
        await actor.Ask<long>(EventLogActor.TakeSnapshot.Instance, Timeout);
        await StopAsync(Sys);

        var report = WalVerifier.Verify(DataDirectory);

        Assert.False(report.HasCorruption);
        Assert.Equal(2, report.Files.Count);
        var segment = Assert.Single(report.Files, f => f.Kind == WalFileKind.Segment);
        Assert.Equal(WalFileStatus.Intact, segment.Status);
        Assert.Equal(4, segment.Records);
        Assert.Equal(WalFileStatus.Intact, Assert.Single(report.Files, f => f.Kind == WalFileKind.Snapshot).Status);
        Assert.Equal(3, report.Format().Split('\n').Length);
    }

    [Fact]
    public async Task A_torn_tail_is_reported_but_not_counted_as_corruption()
    {
        var (actor, _) = await StartAsync(Sys, "torn");
        await AppendManyAsync(actor, "e", 2);
        await StopAsync(Sys);
        var segment = Assert.Single(Segments());
        var length = SegmentInspector.DataEnd(segment);
        SegmentInspector.WriteAt(segment, length, "partial");

        var report = WalVerifier.Verify(DataDirectory);

        var file = Assert.Single(report.Files);
        Assert.Equal(WalFileStatus.TornTail, file.Status);
        Assert.Equal(length, file.FirstBadOffset);
        Assert.False(report.HasCorruption);
    }

    [Fact]
    public void A_missing_data_directory_is_an_error()
        => Assert.Throws<DirectoryNotFoundException>(() => WalVerifier.Verify(Path.Combine(DataDirectory, "missing")));
}
