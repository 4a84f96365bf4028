using System.Diagnostics;

namespace AegisKV.IntegrationTests.Tls;

/// <summary>Node-to-node mutual TLS (<c>--cluster-tls-cert</c>, <c>-key</c>, <c>-ca</c>): only nodes the cluster CA signed get in.</summary>
public sealed class ClusterTlsTests : IDisposable
{
    private readonly TestCertificates _pki = new();
    private readonly string _config;

    public ClusterTlsTests()
    {
        _config = Path.Combine(_pki.Root, "cluster.conf");
        File.WriteAllText(_config, """
            akka.cluster.seed-node-timeout = 2s
            akka.cluster.sharding.rebalance-interval = 500ms
            """);
    }

    public void Dispose() => _pki.Dispose();

    [Fact(Timeout = 120_000)]
    public async Task Nodes_signed_by_the_cluster_CA_should_form_a_cluster_and_a_node_signed_by_another_never_join()
    {
        var nodes = new List<TestNode>();
        try
        {
            var first = await Start("ct-a", foreign: false, seed: null);
            nodes.Add(first);
            var second = await Start("ct-b", foreign: false, seed: first.GossipEndpoint);
            nodes.Add(second);
            var watch = Stopwatch.StartNew();
            while (UpMembers(first) < 2)
            {
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), "the node the cluster CA signed never joined");
                await Task.Delay(100);
            }

            var intruder = await Start("ct-c", foreign: true, seed: first.GossipEndpoint, waitUntilReady: false);
            nodes.Add(intruder);
            watch.Restart();
            while (watch.Elapsed < TimeSpan.FromSeconds(6))
            {
                Assert.Equal(2, Akka.Cluster.Cluster.Get(first.Node.System).State.Members.Count);
                await Task.Delay(200);
            }

            Assert.False(intruder.Node.Readiness.WhenReady.IsCompleted);
            Assert.True((await first.MetricsAsync())["aegis_gossip_connections_refused_total"] >= 1);

            await first.AssertServesAsync("ct");
            await second.AssertServesAsync("ct");
        }
        finally
        {
            await TestNode.DisposeAllAsync(nodes);
        }
    }

    private Task<TestNode> Start(string id, bool foreign, string? seed, bool waitUntilReady = true)
    {
        var (certificate, key) = _pki.WriteClusterNode(id, foreign);
        var flags = new Dictionary<string, string>
        {
            ["node-id"] = id,
            ["cluster-tls-cert"] = certificate,
            ["cluster-tls-key"] = key,
            ["cluster-tls-ca"] = _pki.CaPath,
        };
        if (seed is not null) flags["seeds"] = seed;
        return TestNode.StartAsync(flags, configFile: _config, waitUntilReady: waitUntilReady);
    }

    private static int UpMembers(TestNode node) =>
        Akka.Cluster.Cluster.Get(node.Node.System).State.Members.Count(m => m.Status == Akka.Cluster.MemberStatus.Up);
}
