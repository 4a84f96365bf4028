using System.Diagnostics.Metrics;
using AegisKV.Cluster.Monitoring;
using AegisKV.Server.Hosting;
using AegisKV.Server.Resp;
using AegisKV.Storage;

namespace AegisKV.Server.Metrics;

/// <summary>
/// Samples one node's figures every second into a <see cref="NodeFigures"/>: rates and p99s over the last second, the
/// rest as they are now. What the dashboard and <c>aegis top</c> show of the node, read by other nodes through its
/// <c>figures</c> actor.
/// </summary>
public sealed class NodeFiguresSampler : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private readonly NodeContext _node;
    private readonly NodeReadiness _readiness;
    private readonly LatencyBuckets _fsyncs = new();
    private readonly MeterListener _listener = new();
    private readonly Timer _timer;
    private readonly long[] _commandsBefore = new long[LatencyBuckets.Count], _commandsNow = new long[LatencyBuckets.Count];
    private readonly long[] _fsyncsBefore = new long[LatencyBuckets.Count], _fsyncsNow = new long[LatencyBuckets.Count];
    private long _sampledAt = Environment.TickCount64, _replies, _errors;
    private volatile NodeFigures _current;

    /// <summary>Starts sampling <paramref name="node"/>; fsync times come from <paramref name="wal"/>'s meter.</summary>
    public NodeFiguresSampler(NodeContext node, NodeReadiness readiness, WalMetrics wal)
    {
        _node = node;
        _readiness = readiness;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, wal.Meter) && instrument.Name == WalMetrics.FsyncSecondsName) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<double>((_, seconds, _, _) => _fsyncs.Record((long)(seconds * 1_000_000)));
        _listener.Start();
        (_replies, _errors) = (node.Metrics.Replies, node.Metrics.ErrorReplies);
        node.Metrics.Latencies.Snapshot(_commandsBefore);
        _fsyncs.Snapshot(_fsyncsBefore);
        _current = Sample();
        _timer = new Timer(_ =>
        {
            // A sample that outlasts the interval (a long GC pause) must not run beside the next.
            if (!Monitor.TryEnter(_listener)) return;
            try
            {
                _current = Sample();
            }
            finally
            {
                Monitor.Exit(_listener);
            }
        }, null, Interval, Interval);
    }

    /// <summary>The figures of the last sample.</summary>
    public NodeFigures Current => _current;

    /// <inheritdoc />
    public void Dispose()
    {
        _timer.Dispose();
        _listener.Dispose();
    }

    // Runs on the timer, one at a time (and once in the constructor).
    private NodeFigures Sample()
    {
        var node = _node;
        var now = Environment.TickCount64;
        var seconds = Math.Max(0.001, (now - _sampledAt) / 1000.0);
        var (replies, errors) = (node.Metrics.Replies, node.Metrics.ErrorReplies);
        node.Metrics.Latencies.Snapshot(_commandsNow);
        _fsyncs.Snapshot(_fsyncsNow);
        var p99 = LatencyBuckets.Quantile(_commandsBefore, _commandsNow, 0.99) ?? -1;
        var fsyncP99 = LatencyBuckets.Quantile(_fsyncsBefore, _fsyncsNow, 0.99) ?? -1;
        var fsyncs = LatencyBuckets.Counted(_fsyncsBefore, _fsyncsNow);
        var disk = DataDisk.Of(node.Settings.DataDirectory);
        var figures = new NodeFigures(
            node.Settings.NodeId,
            (long)node.Statistics.Uptime.TotalSeconds,
            _readiness.IsReady,
            (replies - _replies) / seconds,
            (errors - _errors) / seconds,
            p99,
            node.Memory.UsedBytes,
            node.Settings.MaxMemoryBytes,
            disk?.FreeBytes ?? -1,
            disk is { } d ? d.UsedBytes + d.FreeBytes : -1,
            fsyncP99,
            fsyncs / seconds,
            node.Statistics.Connections,
            node.Memory.Keys,
            node.LocalShards.Count,
            node.Replication.BreakersOpen,
            node.Replication.UnderReplicated);
        _commandsNow.CopyTo(_commandsBefore, 0);
        _fsyncsNow.CopyTo(_fsyncsBefore, 0);
        (_sampledAt, _replies, _errors) = (now, replies, errors);
        return figures;
    }
}
