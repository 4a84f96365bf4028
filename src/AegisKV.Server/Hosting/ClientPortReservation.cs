using System.Net;
using System.Net.Sockets;
using AegisKV.Server.Configuration;
using AegisKV.Server.Network;

namespace AegisKV.Server.Hosting;

/// <summary>
/// The client ports of a node started with <c>--bind host:0</c> or <c>--tls-bind host:0</c>: chosen before the node
/// starts (other nodes tell clients where it serves) and kept bound until the listeners take them, so no other
/// process can take them meanwhile.
/// </summary>
internal sealed class ClientPortReservation : IDisposable
{
    private Socket? _plain;
    private Socket? _tls;

    private ClientPortReservation()
    {
    }

    /// <summary>The plain port reserved; null when the node was given one, or has no plain listener.</summary>
    public int? Port { get; private init; }

    /// <summary>The TLS port reserved; null when the node was given one, or has no TLS listener.</summary>
    public int? TlsPort { get; private init; }

    /// <summary>Reserves a port for each client listener of <paramref name="settings"/> that names port 0.</summary>
    /// <exception cref="StartupException">An address cannot be bound.</exception>
    public static ClientPortReservation For(NodeSettings settings)
    {
        var plain = Reserve("--bind", settings.Bind);
        Socket? tls;
        try
        {
            tls = Reserve("--tls-bind", settings.Tls?.Bind);
        }
        catch
        {
            plain?.Dispose();
            throw;
        }

        return new ClientPortReservation
        {
            _plain = plain,
            _tls = tls,
            Port = PortOf(plain),
            TlsPort = PortOf(tls),
        };
    }

    /// <summary>The bound plain socket, for the listener; null once taken, or when nothing was reserved.</summary>
    public Socket? Take() => Interlocked.Exchange(ref _plain, null);

    /// <summary>The bound TLS socket, for the listener; null once taken, or when nothing was reserved.</summary>
    public Socket? TakeTls() => Interlocked.Exchange(ref _tls, null);

    /// <inheritdoc />
    public void Dispose()
    {
        Take()?.Dispose();
        TakeTls()?.Dispose();
    }

    private static int? PortOf(Socket? socket) => socket is null ? null : ((IPEndPoint)socket.LocalEndPoint!).Port;

    private static Socket? Reserve(string flag, NodeEndpoint? bind)
    {
        if (bind is null || bind.Port != 0) return null;
        try
        {
            var socket = ClientListener.Bind(bind.Host, 0);
            // Listening already: a socket that is only bound does not keep others (SO_REUSEADDR, .NET's default
            // on Linux) from binding the port too. Connections queue until the node accepts them.
            socket.Listen(ClientListener.Backlog);
            return socket;
        }
        catch (SocketException e)
        {
            throw new StartupException($"{flag}: {bind} cannot be bound: {e.Message}", e);
        }
    }
}
