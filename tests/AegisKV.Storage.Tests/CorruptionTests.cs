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

    // A complete record that fails its checksum is corruption wherever it is, the newest record included:
    // the id it names is not replayed, and the file is left as it is for the operator.
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task A_flipped_byte_in_an_ids_last_or_next_to_last_record_is_reported_with_file_and_offset(int fromEnd)
    {
        var (victim, _) = await StartAsync(Sys, "newest");
        await AppendManyAsync(victim, "newest", 5);
        var node = await RestartAsync(Sys);
        var segment = Assert.Single(Segments());
        var damaged = SegmentInspector.Records(segment)[^fromEnd];
        Assert.Equal($"\"newest-{6 - fromEnd}\"", damaged.Payload);
        var length = new FileInfo(segment).Length;
        SegmentInspector.FlipByte(segment, damaged.Offset + damaged.Length - 6);

        var (_, outcome) = await StartAndRecoverAsync(node, "newest");

        var corruption = Assert.IsType<WalCorruptionException>(Assert.IsType<EventLogActor.RecoveryFailed>(outcome).Cause);
        Assert.Equal(segment, corruption.FilePath);
        Assert.Equal(damaged.Offset, corruption.Offset);
        Assert.Equal(length, new FileInfo(segment).Length);
        Assert.True(WalVerifier.Verify(DataDirectory).HasCorruption);
    }

    [Fact]
    public async Task Repair_drops_what_was_lost_and_the_id_replays_up_to_its_last_intact_record()
    {
        var (victim, _) = await StartAsync(Sys, "repaired");
        await AppendManyAsync(victim, "r", 5);
        var node = await RestartAsync(Sys);
        var segment = Assert.Single(Segments());
        var damaged = SegmentInspector.Records(segment)[^2];
        SegmentInspector.FlipByte(segment, damaged.Offset + damaged.Length - 6);
        await StopAsync(node);

        var plan = WalRepair.Plan(DataDirectory);
        var lost = Assert.Single(plan.LostRecords);
        Assert.Equal(("repaired", 3L, 1), (lost.PersistenceId, lost.LastIntact, lost.ReadableAfter));
        Assert.Contains($"drop {segment} bytes {damaged.Offset}..", WalRepair.Describe(plan), StringComparison.Ordinal);
        WalRepair.Repair(DataDirectory);

        Assert.True(WalRepair.Plan(DataDirectory).IsClean);
        Assert.False(WalVerifier.Verify(DataDirectory).HasCorruption);
        node = await RestartAsync(Sys);
        var (again, recovered) = await StartAsync(node, "repaired");
        Assert.Equal(["r-1", "r-2", "r-3"], recovered.Events);
        Assert.Equal(4, await AppendAsync(again, "after-repair"));
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
