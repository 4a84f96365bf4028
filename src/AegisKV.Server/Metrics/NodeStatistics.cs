using System.Diagnostics;

namespace AegisKV.Server.Metrics;

/// <summary>Node-wide counters INFO reports; updated atomically by every connection.</summary>
public sealed class NodeStatistics
{
    private long _connections;
    private long _totalConnections;
    private long _commands;
    private long _nextClientId;
    private long _rejected;
    private readonly object _opsGate = new();
    private long _opsSampledAt = Environment.TickCount64;
    private long _opsSampledCommands;
    private long _opsPerSecond;

    /// <summary>When the node started.</summary>
    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    /// <summary>Time since start.</summary>
    public TimeSpan Uptime => DateTimeOffset.UtcNow - StartedAt;

    /// <summary>Open client connections.</summary>
    public long Connections => Volatile.Read(ref _connections);

    /// <summary>Connections accepted since start.</summary>
    public long TotalConnections => Volatile.Read(ref _totalConnections);

    /// <summary>Commands processed since start.</summary>
    public long Commands => Volatile.Read(ref _commands);

    /// <summary>Connections refused at max-clients since start.</summary>
    public long RejectedConnections => Volatile.Read(ref _rejected);

    /// <summary>Commands per second over the time since this was last read (at least a second), as redis-cli --stat reads it.</summary>
    public long OpsPerSecond
    {
        get
        {
            lock (_opsGate)
            {
                var now = Environment.TickCount64;
                if (now - _opsSampledAt >= 1000)
                {
                    var commands = Commands;
                    _opsPerSecond = Math.Max(0, commands - _opsSampledCommands) * 1000 / (now - _opsSampledAt);
                    (_opsSampledAt, _opsSampledCommands) = (now, commands);
                }

                return _opsPerSecond;
            }
        }
    }

    /// <summary>Zeroes the totals INFO shows (CONFIG RESETSTAT).</summary>
    public void ResetStats()
    {
        lock (_opsGate)
        {
            Interlocked.Exchange(ref _commands, 0);
            Interlocked.Exchange(ref _totalConnections, 0);
            Interlocked.Exchange(ref _rejected, 0);
            _opsSampledCommands = 0;
        }
    }

    /// <summary>Counts a connection refused at max-clients.</summary>
    public void ConnectionRejected() => Interlocked.Increment(ref _rejected);

    /// <summary>Counts a new connection and returns its client id.</summary>
    public long ConnectionOpened()
    {
        Interlocked.Increment(ref _connections);
        Interlocked.Increment(ref _totalConnections);
        return Interlocked.Increment(ref _nextClientId);
    }

    /// <summary>Counts a closed connection.</summary>
    public void ConnectionClosed()
    {
        Interlocked.Decrement(ref _connections);
    }

    /// <summary>Counts one processed command.</summary>
    public void CommandProcessed() => Interlocked.Increment(ref _commands);

    /// <summary>A timestamp for latency measurement.</summary>
    public static long Timestamp() => Stopwatch.GetTimestamp();
}
