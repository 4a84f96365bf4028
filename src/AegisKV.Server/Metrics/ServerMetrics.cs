using AegisKV.Core.Commands;
using Prometheus;

namespace AegisKV.Server.Metrics;

/// <summary>
/// The node's Prometheus series on the request path. Children for every command are made
/// once, so counting a request costs no label lookup.
/// </summary>
public sealed class ServerMetrics
{
    private static readonly Counter Commands = Prometheus.Metrics.CreateCounter(
        "aegis_commands_total", "Commands processed, by command and result.", "command", "result");

    private static readonly Histogram Latency = Prometheus.Metrics.CreateHistogram(
        "aegis_command_duration_seconds", "Time from a command's arrival to its reply being ready, by command.",
        new HistogramConfiguration
        {
            LabelNames = ["command"],
            Buckets = Histogram.ExponentialBuckets(0.00005, 2, 16),
        });

    private static readonly Counter.Child UnknownCommands = Commands.WithLabels("unknown", "error");

    /// <summary>Open client connections.</summary>
    public static readonly Gauge Connections = Prometheus.Metrics.CreateGauge("aegis_connections", "Open client connections.");

    /// <summary>Client connections accepted since start.</summary>
    public static readonly Counter ConnectionsAccepted = Prometheus.Metrics.CreateCounter("aegis_connections_accepted_total", "Client connections accepted since start.");

    /// <summary>Connections closed for a protocol error.</summary>
    public static readonly Counter ProtocolErrors = Prometheus.Metrics.CreateCounter("aegis_protocol_errors_total", "Connections closed for a RESP protocol error.");

    private readonly Counter.Child[] _ok = new Counter.Child[256];
    private readonly Counter.Child[] _error = new Counter.Child[256];
    private readonly Histogram.Child[] _latency = new Histogram.Child[256];

    /// <summary>Creates the per-command children.</summary>
    public ServerMetrics()
    {
        foreach (var spec in CommandTable.All)
        {
            var name = spec.Name.ToLowerInvariant();
            _ok[(int)spec.Id] = Commands.WithLabels(name, "ok");
            _error[(int)spec.Id] = Commands.WithLabels(name, "error");
            _latency[(int)spec.Id] = Latency.WithLabels(name);
        }
    }

    /// <summary>Counts a finished command and its latency.</summary>
    public void Record(CommandId command, bool failed, long startTimestamp)
    {
        var id = (int)command;
        (failed ? _error[id] : _ok[id]).Inc();
        _latency[id].Observe(System.Diagnostics.Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds);
    }

    /// <summary>Counts a command name the node does not know.</summary>
    public void RecordUnknown() => UnknownCommands.Inc();
}
