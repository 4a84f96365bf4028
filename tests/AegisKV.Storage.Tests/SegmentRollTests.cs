using Xunit.Abstractions;

namespace AegisKV.Storage.Tests;

public sealed class SegmentRollTests(ITestOutputHelper output)
    : WalTestKit(output, "akka.persistence.journal.aegis-wal.segment-size = 1KiB")
{
    [Fact]
    public async Task Records_spread_over_many_small_segments_recover_in_order()
    {
        var (actor, _) = await StartAsync(Sys, "rolling");
        await AppendManyAsync(actor, "event", 150);
        var node = await RestartAsync(Sys);

        var segments = Segments();
        Assert.True(segments.Length >= 4, $"expected several segments, got {segments.Length}");
        for (var i = 0; i < segments.Length; i++)
        {
            Assert.True(WalFormat.TryParseSegmentFileName(Path.GetFileName(segments[i]), out var position));
            var size = new FileInfo(segments[i]).Length;
            Assert.True(size <= 1024, $"{segments[i]} is {size} bytes");
            if (i + 1 < segments.Length)
            {
                // Positions address the log as a whole: the next segment starts where this one's records end.
                Assert.True(WalFormat.TryParseSegmentFileName(Path.GetFileName(segments[i + 1]), out var next));
                Assert.Equal(position + SegmentInspector.DataEnd(segments[i]), next);
            }
        }

        var (_, recovered) = await StartAsync(node, "rolling");
        Assert.Equal(Enumerable.Range(1, 150).Select(i => $"event-{i}"), recovered.Events);
        Assert.False(WalVerifier.Verify(DataDirectory).HasCorruption);
    }
}
