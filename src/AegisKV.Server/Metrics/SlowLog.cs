using AegisKV.Core.Commands;

namespace AegisKV.Server.Metrics;

/// <summary>One SLOWLOG entry, as Redis reports it.</summary>
/// <param name="Id">Increasing id.</param>
/// <param name="UnixSeconds">When the command finished.</param>
/// <param name="Microseconds">From the command's arrival to its reply being ready.</param>
/// <param name="Arguments">The command line, at most 32 arguments of at most 128 bytes, as Redis trims it.</param>
/// <param name="Client">The client's address.</param>
/// <param name="ClientName">The client's name, or empty.</param>
public sealed record SlowLogEntry(long Id, long UnixSeconds, long Microseconds, byte[][] Arguments, string Client, string ClientName);

/// <summary>
/// The commands slower than <c>slowlog-log-slower-than</c> microseconds, newest first, at most
/// <c>slowlog-max-len</c>. Unlike Redis, the time includes waiting for the shard and for the WAL,
/// which is what a client waits for; both limits change at run time (CONFIG SET).
/// </summary>
public sealed class SlowLog
{
    private const int MaxArguments = 32;
    private const int MaxArgumentBytes = 128;
    private readonly LinkedList<SlowLogEntry> _entries = new();
    private long _nextId;
    private long _thresholdMicros;
    private int _maxLength;

    /// <summary>Creates a slow log with Redis's limits: negative threshold logs nothing, 0 logs everything.</summary>
    public SlowLog(long thresholdMicros, int maxLength)
    {
        _thresholdMicros = thresholdMicros;
        _maxLength = maxLength;
    }

    /// <summary>Commands taking at least this many microseconds are logged; negative turns the log off.</summary>
    public long ThresholdMicros
    {
        get => Volatile.Read(ref _thresholdMicros);
        set => Volatile.Write(ref _thresholdMicros, value);
    }

    /// <summary>Most entries kept.</summary>
    public int MaxLength
    {
        get => Volatile.Read(ref _maxLength);
        set
        {
            Volatile.Write(ref _maxLength, value);
            lock (_entries) Trim();
        }
    }

    /// <summary>Entries held.</summary>
    public int Count
    {
        get
        {
            lock (_entries) return _entries.Count;
        }
    }

    /// <summary>True when a command of <paramref name="micros"/> is to be logged.</summary>
    public bool IsSlow(long micros)
    {
        var threshold = ThresholdMicros;
        return threshold >= 0 && micros >= threshold;
    }

    /// <summary>Logs a command; <paramref name="arguments"/> exclude its name.</summary>
    public void Add(CommandId command, ReadOnlySpan<byte[]> arguments, long micros, string client, string clientName)
    {
        var count = Math.Min(arguments.Length + 1, MaxArguments);
        var kept = new byte[count][];
        kept[0] = CommandTable.Get(command).LowerName;
        for (var i = 1; i < count; i++)
        {
            var argument = arguments[i - 1];
            kept[i] = argument.Length <= MaxArgumentBytes
                ? argument
                : [.. argument.AsSpan(0, MaxArgumentBytes), .. System.Text.Encoding.ASCII.GetBytes($"... ({argument.Length - MaxArgumentBytes} more bytes)")];
        }

        if (arguments.Length + 1 > MaxArguments)
            kept[^1] = System.Text.Encoding.ASCII.GetBytes($"... ({arguments.Length + 1 - MaxArguments + 1} more arguments)");
        var entry = new SlowLogEntry(Interlocked.Increment(ref _nextId) - 1, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), micros, kept, client, clientName);
        lock (_entries)
        {
            _entries.AddFirst(entry);
            Trim();
        }
    }

    /// <summary>The newest <paramref name="count"/> entries (all when negative).</summary>
    public IReadOnlyList<SlowLogEntry> Newest(int count)
    {
        lock (_entries) return [.. count < 0 ? _entries : _entries.Take(count)];
    }

    /// <summary>Drops every entry.</summary>
    public void Reset()
    {
        lock (_entries) _entries.Clear();
    }

    private void Trim()
    {
        while (_entries.Count > Math.Max(0, _maxLength)) _entries.RemoveLast();
    }
}
