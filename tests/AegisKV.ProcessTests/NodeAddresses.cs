using System.Collections.Concurrent;
using System.Net;

namespace AegisKV.ProcessTests;

/// <summary>
/// Where a node's client port listens: loopback, unless the node runs in a network namespace a test made. Ports are
/// unique per test run (<see cref="FreePorts"/>), so a port names its address.
/// </summary>
public static class NodeAddresses
{
    private static readonly ConcurrentDictionary<int, IPAddress> Hosts = new();

    /// <summary>Notes the address of a node's client port.</summary>
    public static void Register(NodePorts ports)
    {
        if (ports.Host != "127.0.0.1") Hosts[ports.Client] = IPAddress.Parse(ports.Host);
    }

    /// <summary>The address a client port listens on.</summary>
    public static IPAddress Of(int port) => Hosts.TryGetValue(port, out var address) ? address : IPAddress.Loopback;
}
