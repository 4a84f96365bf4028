using System.Net;
using System.Net.Sockets;
using AegisKV.Server.Configuration;
using AegisKV.Server.Network;

namespace AegisKV.Server.Hosting;

/// <summary>
/// The client port of a node started with <c>--bind host:0</c>: chosen before the node starts (other nodes tell
/// clients where it serves) and kept bound until the listener takes it, so no other process can take it meanwhile.
/// </summary>
internal sealed class ClientPortReservation : IDisposable
{
    private Socket? _socket;

    private ClientPortReservation(Socket? socket) => _socket = socket;

    /// <summary>The port reserved; null when the node was given one.</summary>
    public int? Port { get; private init; }

    /// <summary>Reserves a port for <paramref name="bind"/> when it names port 0; otherwise reserves nothing.</summary>
    /// <exception cref="StartupException">The address cannot be bound.</exception>
    public static ClientPortReservation For(NodeEndpoint bind)
    {
        if (bind.Port != 0) return new ClientPortReservation(null);
        try
        {
            var socket = ClientListener.Bind(bind.Host, 0);
            // Listening already: a socket that is only bound does not keep others (SO_REUSEADDR, .NET's default
            // on Linux) from binding the port too. Connections queue until the node accepts them.
            socket.Listen(ClientListener.Backlog);
            return new ClientPortReservation(socket) { Port = ((IPEndPoint)socket.LocalEndPoint!).Port };
        }
        catch (SocketException e)
        {
            throw new StartupException($"--bind: {bind} cannot be bound: {e.Message}", e);
        }
    }

    /// <summary>The bound socket, for the listener; null once taken, or when nothing was reserved.</summary>
    public Socket? Take() => Interlocked.Exchange(ref _socket, null);

    /// <inheritdoc />
    public void Dispose() => Take()?.Dispose();
}
