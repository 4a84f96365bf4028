using System.Net;
using System.Net.Sockets;
using AegisKV.Server.Configuration;
using AegisKV.Server.Hosting;

namespace AegisKV.IntegrationTests;

public sealed class ClientPortTests
{
    // The port chosen for --bind host:0 is announced to the cluster before the node listens: it must stay the
    // node's all along, or a busy machine hands it to another process and the node fails to start.
    [Fact(Timeout = 60_000)]
    public async Task A_client_port_left_to_the_system_should_be_held_from_creation_until_the_node_listens_on_it()
    {
        var directory = TestData.NewPath();
        var settings = NodeConfigLoader.Load(new Dictionary<string, string>
        {
            ["bind"] = "127.0.0.1:0", ["gossip"] = "127.0.0.1:0", ["health"] = "127.0.0.1:0", ["data-dir"] = directory, ["shards"] = "4", ["log-level"] = "warn",
        }, null, new Dictionary<string, string>());
        try
        {
            await using var node = AegisNode.Create(settings);
            var port = node.Settings.Bind!.Port;
            Assert.NotEqual(0, port);
            using (var other = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
            {
                var taken = Assert.Throws<SocketException>(() => other.Bind(new IPEndPoint(IPAddress.Loopback, port)));
                Assert.Equal(SocketError.AddressAlreadyInUse, taken.SocketErrorCode);
            }

            await node.StartAsync();
            await node.WaitUntilReadyAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(port, node.ClientPort);
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }
}
