using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace AegisKV.Server.Network;

/// <summary>
/// The client port's accept loop on a socket of its own, so that the node decides what happens to
/// each accepted connection (limits, TLS later) and closing the listener never touches the
/// connections already open. "0.0.0.0" listens on every IPv4 interface, "::" on every interface.
/// </summary>
public sealed class ClientListener : IAsyncDisposable
{
    /// <summary>Connections the system queues for the accept loop.</summary>
    public const int Backlog = 1024;

    private readonly Socket _socket;
    private readonly Action<Socket> _accepted;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    private ClientListener(Socket socket, Action<Socket> accepted, ILogger log)
    {
        _socket = socket;
        _accepted = accepted;
        _log = log;
    }

    /// <summary>The address actually bound (the port differs from the one asked for when that was 0).</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    /// <summary>
    /// Binds <paramref name="host"/>:<paramref name="port"/> (or takes <paramref name="bound"/>, a socket bound to
    /// it already) and starts accepting; each accepted socket is handed to <paramref name="accepted"/> on the
    /// accept loop, which must not block.
    /// </summary>
    /// <exception cref="SocketException">The address cannot be bound (in use, not local, no permission).</exception>
    public static ClientListener Start(string host, int port, int backlog, Action<Socket> accepted, ILogger log, Socket? bound = null)
    {
        var socket = bound ?? Bind(host, port);
        try
        {
            socket.Listen(backlog);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var listener = new ClientListener(socket, accepted, log);
        listener._loop = Task.Run(listener.AcceptLoopAsync);
        return listener;
    }

    /// <summary>A socket bound to <paramref name="host"/>:<paramref name="port"/>, not yet listening (port 0: one the OS picks).</summary>
    /// <exception cref="SocketException">The address cannot be bound (in use, not local, no permission).</exception>
    public static Socket Bind(string host, int port)
    {
        var address = Resolve(host);
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // "::" takes IPv4 clients too, as "every interface" promises.
            if (address.Equals(IPAddress.IPv6Any)) socket.DualMode = true;
            socket.Bind(new IPEndPoint(address, port));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Stops accepting and releases the port; open connections are not affected.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested) return;
        await _stop.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _socket.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e)
            {
                // Out of file descriptors, a connection reset before accept: the listener goes on.
                _log.LogWarning("Accepting a client failed: {Error}", e.SocketErrorCode);
                await Task.Delay(TimeSpan.FromMilliseconds(10)).ConfigureAwait(false);
                continue;
            }

            try
            {
                client.NoDelay = true;
                _accepted(client);
            }
            catch (Exception e)
            {
                // One connection that cannot start must not stop the listener.
                _log.LogWarning(e, "Could not start a client connection");
                client.Dispose();
            }
        }
    }

    private static IPAddress Resolve(string host)
    {
        if (host is "*" or "") return IPAddress.Any;
        if (host == "localhost") return IPAddress.Loopback;
        if (IPAddress.TryParse(host, out var address)) return address;
        var addresses = Dns.GetHostAddresses(host);
        return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses[0];
    }
}
