using System.Net;
using System.Net.Sockets;
using AegisKV.Server.Configuration;

namespace AegisKV.Server.Hosting;

/// <summary>
/// Tries each listen address before anything starts, so a taken port is one line naming the flag,
/// not a stack trace from whichever component binds it; and so the gossip port is never shared
/// with another process, which Akka's transport would otherwise allow.
/// </summary>
internal static class PortCheck
{
    public static void EnsureFree(NodeSettings settings)
    {
        if (settings.Bind is { } bind) EnsureFree("--bind", bind);
        if (settings.Tls is { } tls) EnsureFree("--tls-bind", tls.Bind);
        EnsureFree("--gossip", settings.Gossip);
        EnsureFree("--health", settings.Health);
    }

    private static IPAddress Resolve(string flag, NodeEndpoint endpoint)
    {
        try
        {
            return endpoint.IsAnyAddress
                ? (endpoint.Host == "::" ? IPAddress.IPv6Any : IPAddress.Any)
                : endpoint.Host == "localhost" ? IPAddress.Loopback
                : IPAddress.TryParse(endpoint.Host, out var parsed) ? parsed : Dns.GetHostAddresses(endpoint.Host)[0];
        }
        catch (Exception e) when (e is SocketException or IndexOutOfRangeException)
        {
            throw new StartupException($"{flag}: cannot resolve '{endpoint.Host}'", e);
        }
    }

    private static void EnsureFree(string flag, NodeEndpoint endpoint)
    {
        if (endpoint.Port == 0) return;
        var address = Resolve(flag, endpoint);
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.ExclusiveAddressUse = true;
            socket.Bind(new IPEndPoint(address, endpoint.Port));
        }
        catch (SocketException e)
        {
            var why = e.SocketErrorCode switch
            {
                SocketError.AddressAlreadyInUse => "is already in use by another process",
                SocketError.AddressNotAvailable => "is not an address of this machine",
                SocketError.AccessDenied => "needs privileges this process does not have",
                _ => $"cannot be bound: {e.Message}",
            };
            throw new StartupException($"{flag}: {endpoint} {why}", e);
        }
    }
}
