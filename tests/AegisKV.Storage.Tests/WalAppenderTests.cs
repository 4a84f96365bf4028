using Xunit.Abstractions;

namespace AegisKV.Storage.Tests;

/// <summary>Writes handed to the WAL directly by their writer, beside the journal, recovered through the journal.</summary>
public sealed class WalAppenderTests(ITestOutputHelper output) : WalTestKit(output)
{
    [Fact]
    public async Task Events_appended_directly_should_be_durable_when_reported_and_recovered_through_the_journal()
    {
        await StatsAsync(Sys); // the journal has started (and opened its WAL), as it has for a writer that recovered
        var appender = WalJournals.Get(Sys).AppenderFor(Journal(Sys), "direct")!;
        Assert.NotNull(appender);
        appender.Append(1, "a");
        appender.Append(2, "b");
        var first = new Outcome();
        appender.Submit(first);
        appender.Append(3, "c");
        var second = new Outcome();
        appender.Submit(second);
        Assert.Equal("durable", await first.Task.WaitAsync(Timeout));
        Assert.Equal("durable", await second.Task.WaitAsync(Timeout));
        Assert.False(appender.HasUnsubmitted);

        var node = await RestartAsync(Sys);
        var (_, recovered) = await StartAsync(node, "direct");
        Assert.Equal(["a", "b", "c"], recovered.Events);
        Assert.Equal(3, recovered.LastSequenceNr);
    }

    // A write's records and bytes outgrow their first pooled arrays, and the next writes reuse what came back.
    [Fact]
    public async Task Writes_of_many_events_each_should_be_recovered_whole_and_in_order()
    {
        await StatsAsync(Sys);
        var appender = WalJournals.Get(Sys).AppenderFor(Journal(Sys), "many")!;
        var expected = new List<string>();
        var sequenceNr = 0L;
        foreach (var count in new[] { 300, 5, 300, 40 })
        {
            for (var i = 0; i < count; i++)
            {
                var payload = $"event {++sequenceNr} " + new string('x', (int)(sequenceNr % 50));
                appender.Append(sequenceNr, payload);
                expected.Add(payload);
            }
            var outcome = new Outcome();
            appender.Submit(outcome);
            Assert.Equal("durable", await outcome.Task.WaitAsync(Timeout));
        }

        var node = await RestartAsync(Sys);
        var (_, recovered) = await StartAsync(node, "many");
        Assert.Equal(expected, recovered.Events);
    }

    [Fact]
    public async Task Writers_submitting_at_once_from_many_threads_should_all_be_written_some_inline_and_some_together()
    {
        const int writers = 8, writesEach = 40;
        var before = await StatsAsync(Sys);
        var journal = Journal(Sys);
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var appender = WalJournals.Get(Sys).AppenderFor(journal, $"writer-{w}")!;
            for (var i = 1; i <= writesEach; i++)
            {
                appender.Append(i, $"e-{i}");
                var outcome = new Outcome();
                appender.Submit(outcome);
                Assert.Equal("durable", await outcome.Task.WaitAsync(Timeout));
            }
        })));

        var after = await StatsAsync(Sys);
        Output.WriteLine($"{writers * writesEach} writes, {after.Fsyncs - before.Fsyncs} fsyncs");
        Assert.Equal(writers * writesEach, after.RecordsWritten - before.RecordsWritten);
        var node = await RestartAsync(Sys);
        for (var w = 0; w < writers; w++)
        {
            var (_, recovered) = await StartAsync(node, $"writer-{w}");
            Assert.Equal(Enumerable.Range(1, writesEach).Select(n => $"e-{n}"), recovered.Events);
        }
    }

    // A lone writer's writes are made inline on its own thread; the checkpoint, saved about a second after a write,
    // must still follow its last write while the node runs, with no clean stop to save it.
    [Fact]
    public async Task A_lone_writer_s_last_write_should_reach_the_checkpoint_while_the_node_runs()
    {
        await StatsAsync(Sys);
        var appender = WalJournals.Get(Sys).AppenderFor(Journal(Sys), "lone")!;
        for (var sequenceNr = 1L; sequenceNr <= 3; sequenceNr++)
        {
            appender.Append(sequenceNr, $"e-{sequenceNr}");
            var outcome = new Outcome();
            appender.Submit(outcome);
            Assert.Equal("durable", await outcome.Task.WaitAsync(Timeout));
            // The first write finds no checkpoint due; the second makes one due and the third comes while it waits.
            if (sequenceNr == 1)
                await CheckpointHoldsAsync("lone", 1);
        }

        await CheckpointHoldsAsync("lone", 3);
    }

    private async Task CheckpointHoldsAsync(string persistenceId, long sequenceNr)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        long held = 0;
        while (DateTime.UtcNow < deadline)
        {
            Assert.True(WalCheckpoint.TryLoad(WalDirectory, out var marks, out var problem), problem);
            if (marks.TryGetValue(persistenceId, out held) && held >= sequenceNr)
                return;
            await Task.Delay(50);
        }

        Assert.Fail($"the checkpoint holds {persistenceId} at {held}, not {sequenceNr}, 5 s after the write");
    }

    [Fact]
    public async Task A_write_to_a_closed_WAL_should_fail_and_a_journal_that_is_not_a_WAL_gives_no_appender()
    {
        var journal = Journal(Sys);
        await StatsAsync(Sys);
        var appender = WalJournals.Get(Sys).AppenderFor(journal, "late")!;
        Assert.Null(WalJournals.Get(Sys).AppenderFor(TestActor, "late"));
        await StopAsync(Sys);
        appender.Append(1, "x");
        var outcome = new Outcome();
        appender.Submit(outcome);
        Assert.StartsWith("failed", await outcome.Task.WaitAsync(Timeout));
    }

    private sealed class Outcome : IWalWriteCallback
    {
        private readonly TaskCompletionSource<string> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<string> Task => _outcome.Task;

        public void Durable() => Assert.True(_outcome.TrySetResult("durable"), "reported twice");

        public void Refused(WalWriteException cause) => Assert.True(_outcome.TrySetResult("refused: " + cause.Message), "reported twice");

        public void Failed(Exception cause) => Assert.True(_outcome.TrySetResult("failed: " + cause.Message), "reported twice");
    }
}
