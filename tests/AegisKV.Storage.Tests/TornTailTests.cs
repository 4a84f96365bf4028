using Akka.Event;
using Xunit.Abstractions;

namespace AegisKV.Storage.Tests;

public sealed class TornTailTests(ITestOutputHelper output) : WalTestKit(output)
{
    [Fact]
    public async Task Garbage_after_the_last_record_is_cut_off_with_a_warning()
    {
        var (actor, _) = await StartAsync(Sys, "torn");
        await AppendManyAsync(actor, "e", 5);
        var node = await RestartAsync(Sys);
        var segment = Assert.Single(Segments());
        var validLength = SegmentInspector.DataEnd(segment);
        SegmentInspector.WriteAt(segment, validLength, "\u0007garbage that is not a record, left by a crash");

        var warnings = CreateTestProbe(node);
        node.EventStream.Subscribe(warnings.Ref, typeof(Warning));
        var (_, recovered) = await StartAsync(node, "torn");

        Assert.Equal(["e-1", "e-2", "e-3", "e-4", "e-5"], recovered.Events);
        Assert.Equal(validLength, new FileInfo(segment).Length);
        var warning = await warnings.FishForMessageAsync<Warning>(w => w.Message.ToString()!.Contains("torn tail", StringComparison.Ordinal), Timeout);
        Assert.Contains(segment, warning.Message.ToString(), StringComparison.Ordinal);
        Assert.Contains($"offset {validLength}", warning.Message.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_half_written_last_record_is_cut_off_and_the_log_stays_appendable()
    {
        var (actor, _) = await StartAsync(Sys, "half");
        await AppendManyAsync(actor, "e", 5);
        var node = await RestartAsync(Sys);
        var segment = Assert.Single(Segments());
        var last = SegmentInspector.Records(segment)[^1];
        Assert.Equal("\"e-5\"", last.Payload); // strings go through the default (JSON) serializer
        ForgetLastRecordWasAcknowledged();
        using (var stream = new FileStream(segment, FileMode.Open, FileAccess.ReadWrite))
            stream.SetLength(last.Offset + last.Length / 2);

        var (recoveredActor, recovered) = await StartAsync(node, "half");
        Assert.Equal(["e-1", "e-2", "e-3", "e-4"], recovered.Events);
        Assert.Equal(last.Offset, new FileInfo(segment).Length);

        Assert.Equal(5, await AppendAsync(recoveredActor, "again-5"));
        node = await RestartAsync(node);
        var (_, again) = await StartAsync(node, "half");
        Assert.Equal(["e-1", "e-2", "e-3", "e-4", "again-5"], again.Events);
    }

    // A write is torn by a crash before it is synced, so before any checkpoint could hold it. These
    // tests cut records that were acknowledged: without the checkpoint that says so, as after such a crash.
    private void ForgetLastRecordWasAcknowledged() => File.Delete(Path.Combine(WalDirectory, "checkpoint"));

    [Fact]
    public async Task An_acknowledged_record_cut_off_the_end_is_reported_as_lost_not_as_torn()
    {
        var (actor, _) = await StartAsync(Sys, "cut");
        await AppendManyAsync(actor, "e", 5);
        var node = await RestartAsync(Sys);
        var segment = Assert.Single(Segments());
        var last = SegmentInspector.Records(segment)[^1];
        using (var stream = new FileStream(segment, FileMode.Open, FileAccess.ReadWrite))
            stream.SetLength(last.Offset);

        var (_, outcome) = await StartAndRecoverAsync(node, "cut");

        var failed = Assert.IsType<EventLogActor.RecoveryFailed>(outcome);
        var corruption = Assert.IsType<WalCorruptionException>(failed.Cause);
        Assert.Contains("records 5..5 were acknowledged", corruption.Message, StringComparison.Ordinal);
        Assert.False(WalRepair.Plan(DataDirectory).IsClean);
    }

    [Fact]
    public async Task An_atomic_write_cut_in_its_last_record_is_dropped_whole()
    {
        var (actor, _) = await StartAsync(Sys, "atomic-torn");
        await AppendAsync(actor, "before");
        await actor.Ask<EventLogActor.Appended>(new EventLogActor.AppendAll(["x", "y", "z"]), Timeout);
        var node = await RestartAsync(Sys);
        var segment = Assert.Single(Segments());
        var last = SegmentInspector.Records(segment)[^1];
        Assert.Equal("\"z\"", last.Payload);
        ForgetLastRecordWasAcknowledged();
        using (var stream = new FileStream(segment, FileMode.Open, FileAccess.ReadWrite))
            stream.SetLength(last.Offset + last.Length - 1);

        var (_, recovered) = await StartAsync(node, "atomic-torn");

        Assert.Equal(["before"], recovered.Events);
        Assert.Equal(1, recovered.LastSequenceNr);
    }
}
