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
    public async Task Metrics_report_appended_bytes_records_fsyncs_and_segments()
    {
        var totals = new Dictionary<string, double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == WalMetrics.MeterName)
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            lock (totals)
                totals[instrument.Name] = totals.GetValueOrDefault(instrument.Name) + value;
        });
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) =>
        {
            lock (totals)
                totals[instrument.Name] = totals.GetValueOrDefault(instrument.Name) + value;
        });
        listener.Start();

        var (actor, _) = await StartAsync(Sys, "metered");
        await AppendManyAsync(actor, "e", 3);
        listener.RecordObservableInstruments();

        lock (totals)
        {
            Assert.True(totals.GetValueOrDefault(WalMetrics.WrittenBytesName) > 0);
            Assert.True(totals.GetValueOrDefault(WalMetrics.RecordsWrittenName) >= 3);
            Assert.True(totals.GetValueOrDefault(WalMetrics.FsyncsName) >= 1);
            Assert.True(totals.ContainsKey(WalMetrics.FsyncSecondsName));
            Assert.True(totals.GetValueOrDefault(WalMetrics.SegmentsName) >= 1);
        }
    }
}
