using System.Net.Sockets;

namespace AegisKV.Server.Network;

/// <summary>
/// The outside handle of one client connection: what the registry needs to count it, find it idle,
/// and ask it to drain or close. The connection's stream stage attaches to it when it starts and
/// detaches when it stops; requests made before it started are kept and applied then.
/// </summary>
public sealed class ClientConnection
{
    private readonly object _gate = new();
    private readonly List<IDisposable> _owned = [];
    private Action? _drain;
    private Action<string>? _close;
    private Action? _inputEnded;
    private bool _drainRequested;
    private string? _closeRequested;
    private long _lastActivity = Environment.TickCount64;
    private int _closed;

    /// <summary>
    /// Wraps an accepted socket, or the TLS stream <paramref name="tls"/> over it once its handshake is done;
    /// <paramref name="onClosed"/> runs once, when the connection has ended.
    /// </summary>
    public ClientConnection(long id, Socket socket, Action<ClientConnection> onClosed, System.Net.Security.SslStream? tls = null)
    {
        Id = id;
        Socket = socket;
        Remote = socket.RemoteEndPoint?.ToString() ?? "?";
        OnClosed = onClosed;
        IsTls = tls is not null;
        Io = tls is null ? new SocketIo(socket) : new Tls.TlsIo(tls, socket);
        if (tls is not null) _owned.Add(tls);
    }

    /// <summary>The client id (CLIENT ID).</summary>
    public long Id { get; }

    /// <summary>The accepted socket.</summary>
    public Socket Socket { get; }

    /// <summary>True for a connection to the TLS listener.</summary>
    public bool IsTls { get; }

    /// <summary>What the connection's bytes go through.</summary>
    internal ClientIo Io { get; }

    /// <summary>The client's address, as <c>ip:port</c>.</summary>
    public string Remote { get; }

    private Action<ClientConnection> OnClosed { get; }

    /// <summary>When the client last sent bytes or a reply went out, as <see cref="Environment.TickCount64"/>.</summary>
    public long LastActivity => Volatile.Read(ref _lastActivity);

    /// <summary>Notes that bytes moved in either direction.</summary>
    public void Touch() => Volatile.Write(ref _lastActivity, Environment.TickCount64);

    /// <summary>Ties the life of <paramref name="resource"/> to the connection's: it is disposed when the connection ends.</summary>
    public void Own(IDisposable resource)
    {
        lock (_gate) _owned.Add(resource);
    }

    /// <summary>Runs <paramref name="action"/> when the client has sent its last byte (it closed, or half-closed, its side).</summary>
    public void OnInputEnded(Action action)
    {
        lock (_gate) _inputEnded += action;
    }

    /// <summary>Called by the stream stage when reading ends.</summary>
    internal void InputEnded()
    {
        Action? ended;
        lock (_gate)
        {
            ended = _inputEnded;
            _inputEnded = null;
        }

        ended?.Invoke();
    }

    /// <summary>Stop reading requests; finish those read, flush their replies, then close.</summary>
    public void Drain()
    {
        Action? drain;
        lock (_gate)
        {
            _drainRequested = true;
            drain = _drain;
        }

        drain?.Invoke();
    }

    /// <summary>Close now, replies still unsent or not; <paramref name="reason"/> is logged.</summary>
    public void Close(string reason)
    {
        Action<string>? close;
        lock (_gate)
        {
            _closeRequested ??= reason;
            close = _close;
        }

        close?.Invoke(reason);
    }

    /// <summary>Called by the stream stage once it runs, with the callbacks that reach it.</summary>
    internal void Attach(Action drain, Action<string> close)
    {
        bool drainNow;
        string? closeNow;
        lock (_gate)
        {
            _drain = drain;
            _close = close;
            drainNow = _drainRequested;
            closeNow = _closeRequested;
        }

        if (closeNow is not null) close(closeNow);
        else if (drainNow) drain();
    }

    /// <summary>Called once the connection has ended: releases what it owned and tells the registry.</summary>
    internal void Closed()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        IDisposable[] owned;
        lock (_gate)
        {
            // Drop the callbacks: they reach into a stopped stream and would keep it alive.
            _drain = null;
            _close = null;
            owned = [.. _owned];
            _owned.Clear();
        }

        foreach (var resource in owned) resource.Dispose();
        Socket.Dispose();
        OnClosed(this);
    }
}
