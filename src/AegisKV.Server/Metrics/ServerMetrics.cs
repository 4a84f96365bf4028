using AegisKV.Core.Commands;
using AegisKV.Core.Replies;
using AegisKV.Core.Sharding;
using AegisKV.Server.Resp;
using Prometheus;

namespace AegisKV.Server.Metrics;

/// <summary>
/// The node's Prometheus series on the request path. Children for every command are made
/// once, so counting a request costs no label lookup.
/// </summary>
public sealed class ServerMetrics
{
    private readonly Counter.Child _unknownCommands;
    private readonly Gauge _connections;
    private readonly Counter _connectionsAccepted;
    private readonly Counter _protocolErrors;
    private readonly Counter _authFailures;
    private readonly Counter _authClosed;
    private readonly Counter _tlsHandshakeFailures;
    private readonly Counter.Child[] _ok = new Counter.Child[256];
    private readonly Counter.Child[] _error = new Counter.Child[256];
    private readonly Histogram.Child[] _latency = new Histogram.Child[256];
    // INFO commandstats and errorstats, kept here rather than read back from Prometheus.
    private readonly long[] _calls = new long[256];
    private readonly long[] _micros = new long[256];
    private readonly long[] _failed = new long[256];
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _errors = new(StringComparer.Ordinal);
    // Blocking commands wait by design: their time says nothing of the node's latency.
    private readonly bool[] _timed = new bool[256];
    private long _replies;
    private long _errorReplies;

    /// <summary>Creates the series with <paramref name="factory"/> (the node's registry); slow commands go to <paramref name="slowLog"/>.</summary>
    public ServerMetrics(IMetricFactory factory, SlowLog? slowLog = null)
    {
        SlowLog = slowLog ?? new SlowLog(-1, 0);
        var commands = factory.CreateCounter("aegis_commands_total", "Commands processed, by command and result.", ["command", "result"]);
        var latency = factory.CreateHistogram(
            "aegis_command_duration_seconds", "Time from a command's arrival to its reply being ready, by command.",
            new HistogramConfiguration
            {
                LabelNames = ["command"],
                Buckets = Histogram.ExponentialBuckets(0.00005, 2, 16),
            });
        _unknownCommands = commands.WithLabels("unknown", "error");
        _connections = factory.CreateGauge("aegis_connections", "Open client connections.");
        _connectionsAccepted = factory.CreateCounter("aegis_connections_accepted_total", "Client connections accepted since start.");
        _protocolErrors = factory.CreateCounter("aegis_protocol_errors_total", "Connections closed for a RESP protocol error.");
        _authFailures = factory.CreateCounter("aegis_auth_failures_total", "AUTH and HELLO … AUTH attempts with a wrong user or token.");
        _authClosed = factory.CreateCounter("aegis_auth_connections_closed_total", "Connections closed after too many wrong AUTH attempts (aegis.auth-max-failures).");
        _tlsHandshakeFailures = factory.CreateCounter("aegis_tls_handshake_failures_total",
            "TLS handshakes that failed: not TLS, an old protocol version, a client certificate refused, or too slow.");
        foreach (var spec in CommandTable.All)
        {
            var name = spec.Name.ToLowerInvariant();
            _ok[(int)spec.Id] = commands.WithLabels(name, "ok");
            _error[(int)spec.Id] = commands.WithLabels(name, "error");
            _latency[(int)spec.Id] = latency.WithLabels(name);
            _timed[(int)spec.Id] = (spec.Flags & CommandFlags.Blocking) == 0;
        }
    }

    /// <summary>Durations of the commands answered, blocking ones excluded; never reset.</summary>
    public LatencyBuckets Latencies { get; } = new();

    /// <summary>Commands answered since the start; never reset.</summary>
    public long Replies => Volatile.Read(ref _replies);

    /// <summary>Commands answered with an error since the start; never reset.</summary>
    public long ErrorReplies => Volatile.Read(ref _errorReplies);

    /// <summary>The node's slow log.</summary>
    public SlowLog SlowLog { get; }

    /// <summary>
    /// Counts the replies of a batch of one command, all answered without error and none slow (a pipeline of GETs),
    /// as <see cref="Record"/> would one by one, with one update of each figure; false, counting nothing, for any other.
    /// </summary>
    public bool TryRecordAlike(ReadOnlySpan<ShardCommand> commands, Reply[] replies, long startTimestamp)
    {
        if (commands.Length < 2) return false;
        var command = commands[0].Command;
        for (var i = 0; i < commands.Length; i++)
            if (commands[i].Command != command || replies[i] is ErrorReply) return false;
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(startTimestamp);
        var micros = elapsed.Ticks / 10;
        if (SlowLog.IsSlow(micros)) return false;
        var id = (int)command;
        Count(id, _ok[id], elapsed, micros, commands.Length);
        return true;
    }

    /// <summary>
    /// Counts a command answered <paramref name="reply"/>, <paramref name="startTimestamp"/> being its arrival;
    /// a slow one goes to the slow log with <paramref name="arguments"/> (its name excluded).
    /// </summary>
    public void Record(CommandId command, Reply reply, long startTimestamp, ClientInfo? client = null, ReadOnlySpan<byte[]> arguments = default)
    {
        var id = (int)command;
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(startTimestamp);
        var micros = elapsed.Ticks / 10;
        var failed = reply is ErrorReply;
        Count(id, failed ? _error[id] : _ok[id], elapsed, micros, 1);
        if (failed)
        {
            Interlocked.Increment(ref _errorReplies);
            Interlocked.Increment(ref _failed[id]);
            CountError(((ErrorReply)reply).Message);
        }

        if (SlowLog.IsSlow(micros)) SlowLog.Add(command, arguments, micros, client?.Remote ?? "", client?.NameText ?? "");
    }

    // `count` replies of command `id`, each taking `elapsed`, in every figure a reply counts in.
    private void Count(int id, Counter.Child outcome, TimeSpan elapsed, long micros, int count)
    {
        outcome.Inc(count);
        _latency[id].Observe(elapsed.TotalSeconds, count);
        Interlocked.Add(ref _calls[id], count);
        Interlocked.Add(ref _micros[id], micros * count);
        Interlocked.Add(ref _replies, count);
        if (_timed[id]) Latencies.Record(micros, count);
    }

    /// <summary>Counts a command name the node does not know.</summary>
    public void RecordUnknown()
    {
        _unknownCommands.Inc();
        Interlocked.Increment(ref _replies);
        Interlocked.Increment(ref _errorReplies);
        CountError("ERR"u8);
    }

    /// <summary>Counts a connection accepted and open.</summary>
    public void ConnectionOpened()
    {
        _connections.Inc();
        _connectionsAccepted.Inc();
    }

    /// <summary>Counts a connection closed.</summary>
    public void ConnectionClosed() => _connections.Dec();

    /// <summary>Counts a connection closed for a protocol error.</summary>
    public void ProtocolError() => _protocolErrors.Inc();

    /// <summary>Counts a wrong AUTH attempt; <paramref name="closed"/> when it closes its connection.</summary>
    public void AuthFailed(bool closed)
    {
        _authFailures.Inc();
        if (closed) _authClosed.Inc();
    }

    /// <summary>Counts a failed TLS handshake.</summary>
    public void TlsHandshakeFailed() => _tlsHandshakeFailures.Inc();

    /// <summary>Counts an error reply by its prefix (ERR, WRONGTYPE, …) for INFO errorstats.</summary>
    public void CountError(ReadOnlySpan<byte> message)
    {
        var end = message.IndexOf((byte)' ');
        var prefix = System.Text.Encoding.ASCII.GetString(end < 0 ? message : message[..end]);
        _errors.AddOrUpdate(prefix, 1, static (_, n) => n + 1);
    }

    /// <summary>Zeroes what INFO commandstats and errorstats show (CONFIG RESETSTAT); the Prometheus series count on.</summary>
    public void ResetStats()
    {
        for (var id = 0; id < _calls.Length; id++)
        {
            Interlocked.Exchange(ref _calls[id], 0);
            Interlocked.Exchange(ref _micros[id], 0);
            Interlocked.Exchange(ref _failed[id], 0);
        }

        _errors.Clear();
    }

    /// <summary>Calls, total microseconds and failed calls of every command called since the start or the last reset.</summary>
    public IEnumerable<(CommandSpec Spec, long Calls, long Micros, long Failed)> CommandStats()
    {
        foreach (var spec in CommandTable.All)
        {
            var id = (int)spec.Id;
            var calls = Volatile.Read(ref _calls[id]);
            if (calls > 0) yield return (spec, calls, Volatile.Read(ref _micros[id]), Volatile.Read(ref _failed[id]));
        }
    }

    /// <summary>Error replies by prefix since the start or the last reset.</summary>
    public IEnumerable<KeyValuePair<string, long>> ErrorStats() => _errors.OrderBy(e => e.Key, StringComparer.Ordinal);
}
