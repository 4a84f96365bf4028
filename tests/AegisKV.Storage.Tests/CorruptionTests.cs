using Xunit.Abstractions;

namespace AegisKV.Storage.Tests;

public sealed class CorruptionTests(ITestOutputHelper output) : WalTestKit(output)
{
    private async Task<(string Segment, SegmentInspector.RecordInfo Damaged, Akka.Actor.ActorSystem Node)> WriteAndDamageAsync()
    {
        var (victim, _) = await StartAsync(Sys, "victim");
        var (bystander, _) = await StartAsync(Sys, "bystander");
        for (var i = 1; i <= 5; i++)
        {
            await AppendAsync(victim, $"victim-{i}");
            await AppendAsync(bystander, $"bystander-{i}");
        }
        var node = await RestartAsync(Sys);
        var segment = Assert.Single(Segments());
        var flipped = SegmentInspector.IndexOf(segment, "victim-3");
        var damaged = SegmentInspector.Records(segment).Single(r => r.Offset <= flipped && flipped < r.Offset + r.Length);
        SegmentInspector.FlipByte(segment, flipped);
        return (segment, damaged, node);
    }

    [Fact]
    public async Task The_verifier_reports_a_flipped_byte_with_the_offset_of_the_damaged_record()
    {
        var (segment, damaged, _) = await WriteAndDamageAsync();

        var report = WalVerifier.Verify(DataDirectory);

        Assert.True(report.HasCorruption);
        var file = Assert.Single(report.Files, f => f.Path == segment);
        Assert.Equal(WalFileStatus.Corrupt, file.Status);
        Assert.Equal(damaged.Offset, file.FirstBadOffset);
        Assert.Contains("checksum", file.Reason, StringComparison.Ordinal);
        Assert.StartsWith("CORRUPT ", file.Format(), StringComparison.Ordinal);
        Assert.Contains($"offset={damaged.Offset}", report.Format(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_journal_refuses_to_replay_an_id_that_lost_records_while_other_ids_recover()
    {
        var (segment, damaged, node) = await WriteAndDamageAsync();

        var (_, outcome) = await StartAndRecoverAsync(node, "victim");
        var failed = Assert.IsType<EventLogActor.RecoveryFailed>(outcome);
        var corruption = Assert.IsType<WalCorruptionException>(failed.Cause);
        Assert.Equal(segment, corruption.FilePath);
        Assert.Equal(damaged.Offset, corruption.Offset);
        Assert.Equal("victim", corruption.PersistenceId);

        var (_, bystander) = await StartAsync(node, "bystander");
        Assert.Equal(Enumerable.Range(1, 5).Select(i => $"bystander-{i}"), bystander.Events);
        Assert.Equal(1, (await StatsAsync(node)).CorruptRegions);
    }

    [Fact]
    public async Task Truncating_below_the_gap_repairs_a_corrupt_id()
    {
        var (_, _, node) = await WriteAndDamageAsync();
        var probe = CreateTestProbe(node);
        Journal(node).Tell(new TruncateSuffix("victim", 3), probe.Ref);
        await probe.ExpectMsgAsync<TruncateSuffixSuccess>(Timeout);

        var (_, recovered) = await StartAsync(node, "victim");

        Assert.Equal(["victim-1", "victim-2"], recovered.Events);
    }
}
