using System.Diagnostics.Metrics;
using AegisKV.Cluster;
using AegisKV.Core;
using AegisKV.Storage;
using Prometheus;

namespace AegisKV.Server.Metrics;

/// <summary>
/// One node's metrics: a Prometheus registry of its own, which its <c>/metrics</c> exports, and the instruments of
/// its storage, shards and placement on meters of the node's <see cref="IMeterFactory"/>. Nothing is process-wide
/// but the <c>process_*</c> and <c>dotnet_*</c> series, so nodes sharing a process (tests) each show their own figures.
/// </summary>
public sealed class NodeMetrics : IDisposable
{
    private readonly MeterBridge _bridge;
    private readonly IDisposable _adapter;

    /// <summary>Creates the node's registry and instruments on meters of <paramref name="meters"/>.</summary>
    public NodeMetrics(IMeterFactory meters)
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        Factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        Wal = new WalMetrics(meters);
        Core = new CoreMetrics(meters);
        Cluster = new ClusterMetrics(meters);
        DotNetStats.Register(Registry);
        _bridge = new MeterBridge(Registry, Factory, [Wal.Meter, Core.Meter, Cluster.Meter]);
        // Other meters (the runtime's, this node's ASP.NET Core) the generic way; another node's host meters are its own.
        _adapter = MeterAdapter.StartListening(new MeterAdapterOptions
        {
            Registry = Registry,
            MetricFactory = Factory,
            InstrumentFilterPredicate = i => !i.Meter.Name.StartsWith("AegisKV", StringComparison.Ordinal)
                                             && (i.Meter.Scope is null || ReferenceEquals(i.Meter.Scope, meters)),
        });
    }

    /// <summary>The registry <c>/metrics</c> exports.</summary>
    public CollectorRegistry Registry { get; }

    /// <summary>Creates series in <see cref="Registry"/>.</summary>
    public IMetricFactory Factory { get; }

    /// <summary>The instruments of the node's WAL.</summary>
    public WalMetrics Wal { get; }

    /// <summary>The instruments of the node's shard actors.</summary>
    public CoreMetrics Core { get; }

    /// <summary>The instruments of the node's placement.</summary>
    public ClusterMetrics Cluster { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        _adapter.Dispose();
        _bridge.Dispose();
    }
}
