using System.Net;
using System.Net.Sockets;

namespace AegisKV.ProcessTests;

/// <summary>Free loopback ports: bind port 0, read the port the OS chose, release it. No port is handed out twice.</summary>
public static class FreePorts
{
    private static readonly HashSet<int> Given = [];

    /// <summary>A port nothing listened on a moment ago.</summary>
    public static int Take()
    {
        while (true)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            lock (Given)
                if (Given.Add(port)) return port;
        }
    }
}
