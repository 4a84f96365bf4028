using System.Globalization;

namespace AegisKV.ProcessTests.Chaos;

/// <summary>
/// One network namespace per node, each joined by a veth pair to a bridge in the test's own namespace, which has
/// an address on it too (the clients' way in). <see cref="Isolate"/> cuts a node off from the other nodes with
/// blackhole routes in its namespace while its clients still reach it: a primary that cannot see its group but
/// still hears from clients, the case read leases and fencing are for. Needs root and <c>ip</c> (iproute2);
/// <see cref="TryCreate"/> says why when it cannot.
/// </summary>
public sealed class NetworkNamespaces : IDisposable
{
    private readonly string _id;
    private readonly string _subnet;
    private readonly int _size;

    private NetworkNamespaces(string id, string subnet, int size)
    {
        _id = id;
        _subnet = subnet;
        _size = size;
    }

    /// <summary>The address of node <paramref name="index"/> (in its namespace).</summary>
    public string Host(int index) => $"{_subnet}.{index + 1}";

    /// <summary>The namespace node <paramref name="index"/> runs in.</summary>
    public string Namespace(int index) => $"aegis-{_id}-{index}";

    private string Bridge => $"aegbr{_id}";

    private string RootEnd(int index) => $"aegv{_id}{index}";

    /// <summary>Namespaces for <paramref name="size"/> nodes, or null (with <paramref name="why"/>) where they cannot be made.</summary>
    public static NetworkNamespaces? TryCreate(int size, out string why)
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            why = "network namespaces need root on Linux";
            return null;
        }

        var id = Random.Shared.Next(0x10000, 0xFFFFF).ToString("x5", CultureInfo.InvariantCulture);
        var subnet = $"10.{Random.Shared.Next(200, 250)}.{Random.Shared.Next(1, 250)}";
        var network = new NetworkNamespaces(id, subnet, size);
        try
        {
            network.Ip("link", "add", "name", network.Bridge, "type", "bridge");
            network.Ip("addr", "add", $"{subnet}.254/24", "dev", network.Bridge);
            network.Ip("link", "set", network.Bridge, "up");
            for (var i = 0; i < size; i++)
            {
                var ns = network.Namespace(i);
                network.Ip("netns", "add", ns);
                network.Ip("link", "add", network.RootEnd(i), "type", "veth", "peer", "name", "eth0", "netns", ns);
                network.Ip("link", "set", network.RootEnd(i), "master", network.Bridge);
                network.Ip("link", "set", network.RootEnd(i), "up");
                network.Ip("-n", ns, "addr", "add", $"{network.Host(i)}/24", "dev", "eth0");
                network.Ip("-n", ns, "link", "set", "eth0", "up");
                network.Ip("-n", ns, "link", "set", "lo", "up");
            }

            why = "";
            return network;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            why = $"could not set up network namespaces: {e.Message}";
            network.Dispose();
            return null;
        }
    }

    /// <summary>Drops node <paramref name="index"/>'s traffic to and from the other nodes; its clients still reach it.</summary>
    public void Isolate(int index)
    {
        for (var other = 0; other < _size; other++)
            if (other != index) Ip("-n", Namespace(index), "route", "add", "blackhole", Host(other) + "/32");
    }

    /// <summary>Ends <see cref="Isolate"/>.</summary>
    public void Heal(int index)
    {
        for (var other = 0; other < _size; other++)
            if (other != index) Ip("-n", Namespace(index), "route", "del", "blackhole", Host(other) + "/32");
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // Each namespace takes its end of the veth pair with it; the processes in them are the cluster's to stop.
        for (var i = 0; i < _size; i++) TryIp("netns", "del", Namespace(i));
        TryIp("link", "del", Bridge);
    }

    private void Ip(params string[] arguments)
    {
        var (code, output) = Command.Run("ip", arguments);
        if (code != 0) throw new InvalidOperationException($"ip {string.Join(' ', arguments)}: {output}");
    }

    private static void TryIp(params string[] arguments) => Command.Run("ip", arguments);
}
