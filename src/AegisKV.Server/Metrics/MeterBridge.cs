using System.Diagnostics.Metrics;
using Prometheus;

namespace AegisKV.Server.Metrics;

/// <summary>
/// Exports the instruments of one node's own meters (storage, shards, placement) to that node's Prometheus
/// registry under their own names — counters as <c>_total</c> counters, histograms as histograms — rather than
/// the generic adapter's meter-prefixed gauges. Meters of other nodes in the process are not listened to.
/// </summary>
internal sealed class MeterBridge : IDisposable
{
    private readonly MeterListener _listener = new();

    public MeterBridge(CollectorRegistry registry, IMetricFactory factory, IReadOnlyCollection<Meter> meters)
    {
        _listener.InstrumentPublished = (instrument, l) =>
        {
            if (!meters.Contains(instrument.Meter)) return;
            var help = instrument.Description ?? instrument.Name;
            try
            {
                object metric = instrument switch
                {
                    Counter<long> or Counter<double> => factory.CreateCounter(instrument.Name + "_total", help),
                    Histogram<long> or Histogram<double> => factory.CreateHistogram(instrument.Name, help,
                        new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.00005, 2, 18) }),
                    _ => factory.CreateGauge(instrument.Name, help),
                };
                l.EnableMeasurementEvents(instrument, metric);
            }
            catch (InvalidOperationException)
            {
                // A name clash with another series must never break the code that created the instrument.
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, state) => Record(state, value));
        _listener.SetMeasurementEventCallback<double>((_, value, _, state) => Record(state, value));
        _listener.Start();
        registry.AddBeforeCollectCallback(_listener.RecordObservableInstruments);
    }

    public void Dispose() => _listener.Dispose();

    private static void Record(object? metric, double value)
    {
        switch (metric)
        {
            case Counter counter:
                counter.Inc(value);
                break;
            case Histogram histogram:
                histogram.Observe(value);
                break;
            case Gauge gauge:
                gauge.Set(value);
                break;
        }
    }
}
