using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace AegisKV.IntegrationTests;

/// <summary>
/// <c>--gossip-secret</c>: node-to-node connections prove they hold it before any message passes. A node with
/// another secret, or none, never joins; a raw connection that skips the handshake is cut; the cluster serves on.
/// </summary>
public sealed class GossipSecretTests : IDisposable
{
    private const string Secret = "7f1c2e9a4b6d8f0e1a3c5b7d9e2f4a6c-gossip";
    private readonly string _config = TestData.NewPath(".conf");

    public GossipSecretTests() => File.WriteAllText(_config, """
        akka.cluster.seed-node-timeout = 2s
        akka.cluster.sharding.rebalance-interval = 500ms
        aegis.cluster.handshake-timeout = 2s
        """);

    public void Dispose() => File.Delete(_config);

    [Fact(Timeout = 120_000)]
    public async Task Only_nodes_holding_the_secret_should_join_and_a_raw_connection_without_the_handshake_should_be_cut()
    {
        var nodes = new List<TestNode>();
        try
        {
            var first = await Start("gs-a", Secret, null);
            nodes.Add(first);
            var second = await Start("gs-b", Secret, first.GossipEndpoint);
            nodes.Add(second);
            await WaitForAsync(() => UpMembers(first) == 2, "the node holding the secret never joined");

            var wrong = await Start("gs-c", "another-secret-that-is-long-enough-to-pass", first.GossipEndpoint, waitUntilReady: false);
            nodes.Add(wrong);
            var none = await Start("gs-d", null, first.GossipEndpoint, waitUntilReady: false);
            nodes.Add(none);

            // A raw client speaking remoting frames without the handshake: the node answers with its own hello only, then cuts it.
            using var raw = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await raw.ConnectAsync(IPEndPoint.Parse(first.GossipEndpoint));
            await raw.SendAsync(new byte[] { 12, 0, 0, 0, 0x0a, 0x0a, 0x08, 0x01, 0x12, 0x06, 0x61, 0x65, 0x67, 0x69, 0x73, 0x21 });
            var (received, closed) = await ReadUntilClosedAsync(raw, TimeSpan.FromSeconds(10));
            Assert.True(closed, "the raw connection was not cut");
            Assert.InRange(received, 0, 4 + 34);

            // Long enough for several join attempts, each refused.
            var watch = Stopwatch.StartNew();
            while (watch.Elapsed < TimeSpan.FromSeconds(6))
            {
                Assert.Equal(2, Akka.Cluster.Cluster.Get(first.Node.System).State.Members.Count);
                await Task.Delay(200);
            }

            Assert.False(wrong.Node.Readiness.WhenReady.IsCompleted);
            Assert.DoesNotContain(Akka.Cluster.Cluster.Get(wrong.Node.System).State.Members, m => m.Status == Akka.Cluster.MemberStatus.Up);
            Assert.True((await first.MetricsAsync())["aegis_gossip_connections_refused_total"] >= 3);
            Assert.True((await wrong.MetricsAsync())["aegis_gossip_connections_refused_total"] >= 1);

            // The cluster serves on, through both of its nodes.
            await first.AssertServesAsync("gs");
            await second.AssertServesAsync("gs");
        }
        finally
        {
            await TestNode.DisposeAllAsync(nodes);
        }
    }

    private Task<TestNode> Start(string id, string? secret, string? seed, bool waitUntilReady = true)
    {
        var flags = new Dictionary<string, string> { ["node-id"] = id };
        if (secret is not null) flags["gossip-secret"] = secret;
        if (seed is not null) flags["seeds"] = seed;
        return TestNode.StartAsync(flags, configFile: _config, waitUntilReady: waitUntilReady);
    }

    private static int UpMembers(TestNode node) => Akka.Cluster.Cluster.Get(node.Node.System).State.Members.Count(m => m.Status == Akka.Cluster.MemberStatus.Up);

    private static async Task WaitForAsync(Func<bool> condition, string failure)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), failure);
            await Task.Delay(100);
        }
    }

    private static async Task<(int Received, bool Closed)> ReadUntilClosedAsync(Socket socket, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var buffer = new byte[4096];
        var received = 0;
        try
        {
            while (true)
            {
                var count = await socket.ReceiveAsync(buffer, SocketFlags.None, cancel.Token);
                if (count == 0) return (received, true);
                received += count;
            }
        }
        catch (OperationCanceledException)
        {
            return (received, false);
        }
        catch (SocketException)
        {
            return (received, true);
        }
    }
}
