using System.Collections.Concurrent;

namespace AegisKV.Server.Network;

/// <summary>
/// The open client connections of a node: enforces the client limit, closes idle clients with one
/// sweep for all of them, and drains or closes them all on shutdown. A connection is in it from
/// accept to close and nothing else keeps it, so a closed connection leaves nothing behind.
/// </summary>
public sealed class ClientRegistry : IDisposable
{
    private static readonly TimeSpan SweepPeriod = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<long, ClientConnection> _open = new();
    private readonly ClientLimits _limits;
    private readonly Timer? _idleSweep;
    private readonly TaskCompletionSource _empty = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _count;
    private volatile bool _draining;

    /// <summary>Creates the registry; with an idle timeout, its sweep starts now.</summary>
    public ClientRegistry(ClientLimits limits)
    {
        _limits = limits;
        if (limits.IdleTimeout > TimeSpan.Zero) _idleSweep = new Timer(_ => CloseIdle(), null, SweepPeriod, SweepPeriod);
    }

    /// <summary>Open connections.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Completes once draining has begun and every connection has closed.</summary>
    public Task WhenEmpty => _empty.Task;

    /// <summary>Claims a place for one more connection; false when the client limit is reached.</summary>
    public bool TryReserve()
    {
        if (Interlocked.Increment(ref _count) <= _limits.MaxClients) return true;
        Release();
        return false;
    }

    /// <summary>Adds a connection whose place was reserved.</summary>
    public void Add(ClientConnection connection)
    {
        _open[connection.Id] = connection;
        if (_draining) connection.Drain();
    }

    /// <summary>Removes a closed connection and frees its place.</summary>
    public void Remove(ClientConnection connection)
    {
        if (_open.TryRemove(connection.Id, out _)) Release();
    }

    /// <summary>Frees a place reserved for a connection that never started.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _count) == 0 && _draining) _empty.TrySetResult();
    }

    /// <summary>Asks every connection, and every one added from now on, to drain.</summary>
    public void DrainAll()
    {
        _draining = true;
        foreach (var connection in _open.Values) connection.Drain();
        if (Count == 0) _empty.TrySetResult();
    }

    /// <summary>Closes every connection now.</summary>
    public void CloseAll(string reason)
    {
        foreach (var connection in _open.Values) connection.Close(reason);
    }

    /// <summary>Stops the idle sweep.</summary>
    public void Dispose() => _idleSweep?.Dispose();

    private void CloseIdle()
    {
        var cutoff = Environment.TickCount64 - (long)_limits.IdleTimeout.TotalMilliseconds;
        foreach (var connection in _open.Values)
            if (connection.LastActivity < cutoff) connection.Close("idle timeout");
    }
}
