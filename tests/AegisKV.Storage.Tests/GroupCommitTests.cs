using System.Diagnostics.Metrics;
using Xunit.Abstractions;

namespace AegisKV.Storage.Tests;

public sealed class GroupCommitTests(ITestOutputHelper output) : WalTestKit(output)
{
    [Fact]
    public async Task Concurrent_writers_share_fsyncs()
    {
        const int writers = 40, eventsEach = 10;
        var actors = new List<Akka.Actor.IActorRef>();
        for (var i = 0; i < writers; i++)
            actors.Add((await StartAsync(Sys, $"writer-{i}")).Actor);
        var before = await StatsAsync(Sys);

        await Task.WhenAll(actors.Select(actor => AppendManyAsync(actor, "e", eventsEach)));

        var after = await StatsAsync(Sys);
        var fsyncs = after.Fsyncs - before.Fsyncs;
        Assert.Equal(writers * eventsEach, after.RecordsWritten - before.RecordsWritten);
        Output.WriteLine($"{writers * eventsEach} events, {fsyncs} fsyncs");
        Assert.InRange(fsyncs, 1, writers * eventsEach / 4);

        var node = await RestartAsync(Sys);
        foreach (var i in new[] { 0, writers / 2, writers - 1 })
        {
            var (_, recovered) = await StartAsync(node, $"writer-{i}");
            Assert.Equal(Enumerable.Range(1, eventsEach).Select(n => $"e-{n}"), recovered.Events);
        }
    }

    [Fact]
    public async Task Metrics_report_appended_bytes_records_fsyncs_and_segments_on_the_nodes_own_instruments()
    {
        var mine = new WalMetrics();
        var another = new WalMetrics();
        var totals = new Dictionary<(Meter, string), double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == mine.Meter || instrument.Meter == another.Meter)
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => Add(instrument, value));
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => Add(instrument, value));
        listener.Start();

        var node = await RestartAsync(Sys, mine);
        var (actor, _) = await StartAsync(node, "metered");
        await AppendManyAsync(actor, "e", 3);
        listener.RecordObservableInstruments();

        lock (totals)
        {
            Assert.True(totals.GetValueOrDefault((mine.Meter, WalMetrics.WrittenBytesName)) > 0);
            Assert.True(totals.GetValueOrDefault((mine.Meter, WalMetrics.RecordsWrittenName)) >= 3);
            Assert.True(totals.GetValueOrDefault((mine.Meter, WalMetrics.FsyncsName)) >= 1);
            Assert.True(totals.ContainsKey((mine.Meter, WalMetrics.FsyncSecondsName)));
            Assert.True(totals.GetValueOrDefault((mine.Meter, WalMetrics.SegmentsName)) >= 1);
            // Another node's instruments (here: ones no journal counts on) see none of it.
            Assert.Equal(0, totals.GetValueOrDefault((another.Meter, WalMetrics.WrittenBytesName)));
            Assert.Equal(0, totals.GetValueOrDefault((another.Meter, WalMetrics.SegmentsName)));
        }

        void Add(Instrument instrument, double value)
        {
            lock (totals)
                totals[(instrument.Meter, instrument.Name)] = totals.GetValueOrDefault((instrument.Meter, instrument.Name)) + value;
        }
    }
}
