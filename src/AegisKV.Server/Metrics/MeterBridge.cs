using System.Diagnostics.Metrics;
using Prometheus;

namespace AegisKV.Server.Metrics;

/// <summary>
/// Exports the instruments of AegisKV's own meters (storage, shards) to Prometheus under their
/// own names — counters as <c>_total</c> counters, histograms as histograms — rather than the
/// generic adapter's meter-prefixed gauges.
/// </summary>
internal static class MeterBridge
{
    private static readonly string[] Meters = ["AegisKV.Storage", "AegisKV.Core", "AegisKV.Cluster"];
    private static MeterListener? _listener;

    public static void Start()
    {
        if (Interlocked.CompareExchange(ref _listener, new MeterListener(), null) is not null) return;
        var listener = _listener;
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (Array.IndexOf(Meters, instrument.Meter.Name) < 0) return;
            var help = instrument.Description ?? instrument.Name;
            try
            {
                object metric = instrument switch
                {
                    Counter<long> or Counter<double> => Prometheus.Metrics.CreateCounter(instrument.Name + "_total", help),
                    Histogram<long> or Histogram<double> => Prometheus.Metrics.CreateHistogram(instrument.Name, help,
                        new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.00005, 2, 18) }),
                    _ => Prometheus.Metrics.CreateGauge(instrument.Name, help),
                };
                l.EnableMeasurementEvents(instrument, metric);
            }
            catch (InvalidOperationException)
            {
                // A name clash with another series must never break the code that created the instrument.
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, state) => Record(state, value));
        listener.SetMeasurementEventCallback<double>((_, value, _, state) => Record(state, value));
        listener.Start();
        Prometheus.Metrics.DefaultRegistry.AddBeforeCollectCallback(listener.RecordObservableInstruments);
    }

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
