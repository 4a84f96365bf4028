using System.Net.Http.Json;
using System.Text.Json;
using StackExchange.Redis;

namespace AegisKV.IntegrationTests;

/// <summary>
/// Two nodes in one process forming a cluster: the node that joins takes the shards it ranks first for, with their
/// data, and a connection writing one key through the first node all the while (its shard moving to the second)
/// finds its last write there. The races of a moving shard are pinned down one by one in <see cref="ReplyInboxTests"/>.
/// </summary>
public sealed class ClusterNodesTests
{
    private const string Timing = """
        akka.cluster.sharding.rebalance-interval = 500ms
        akka.cluster.seed-node-timeout = 2s
        """;

    [Fact(Timeout = 120_000)]
    public async Task A_joining_node_should_take_its_shards_with_their_data_while_a_connection_keeps_its_order()
    {
        var config = TestData.NewPath(".conf");
        await File.WriteAllTextAsync(config, Timing);
        TestNode? first = null, second = null;
        try
        {
            first = await TestNode.StartAsync(new() { ["node-id"] = "it-a" }, configFile: config);
            await using var redis = await ConnectionMultiplexer.ConnectAsync(first.Endpoint);
            var db = redis.GetDatabase();
            for (var i = 0; i < 400; i++) await db.StringSetAsync("k:" + i, "v" + i);

            // One connection keeps writing one key, pipelined, while the second node joins and the key's shard moves to it.
            static int ShardOf(string key) => AegisKV.Core.Sharding.KeySlots.ShardOf(System.Text.Encoding.UTF8.GetBytes(key), 8);
            var order = Enumerable.Range(0, 1000).Select(n => "order:" + n).First(key =>
                AegisKV.Cluster.Placement.Rendezvous.Rank(ShardOf(key).ToString(System.Globalization.CultureInfo.InvariantCulture), ["it-a", "it-b"])[0] == "it-b");
            var joining = TestNode.StartAsync(new() { ["node-id"] = "it-b", ["seeds"] = first.GossipEndpoint }, configFile: config);
            var last = 0;
            while (!joining.IsCompleted || (await OwnersAsync(first))[ShardOf(order)] != "it-b")
            {
                var batch = new Task[50];
                for (var j = 0; j < batch.Length; j++) batch[j] = db.StringSetAsync(order, (++last).ToString(System.Globalization.CultureInfo.InvariantCulture));
                await Task.WhenAll(batch);
                Assert.True(last < 200_000, "the second node never took a shard");
            }

            second = await joining;
            var owners = await OwnersAsync(first);
            for (var i = 0; i < 40 && owners.OfType<string>().Distinct().Count() < 2; i++)
            {
                await Task.Delay(250);
                owners = await OwnersAsync(first);
            }

            Assert.Equal(["it-a", "it-b"], owners.OfType<string>().Distinct().Order());
            foreach (var node in new[] { first, second })
            {
                await using var reader = await ConnectionMultiplexer.ConnectAsync(node.Endpoint);
                var nodeDb = reader.GetDatabase();
                for (var i = 0; i < 400; i++) Assert.Equal("v" + i, (string?)await nodeDb.StringGetAsync("k:" + i));
                Assert.Equal(last.ToString(System.Globalization.CultureInfo.InvariantCulture), (string?)await nodeDb.StringGetAsync(order));
            }

            // Each node's metrics are its own, though both run in this process: the shards split between them, and
            // only the first handed any off.
            var moved = owners.Count(o => o == "it-b");
            var (firstMetrics, secondMetrics) = (await first.MetricsAsync(), await second.MetricsAsync());
            Assert.Equal(owners.Length - moved, firstMetrics["aegis_shards_owned"]);
            Assert.Equal(moved, secondMetrics["aegis_shards_owned"]);
            Assert.True(firstMetrics["aegis_shard_handoffs_total"] >= moved, $"{firstMetrics["aegis_shard_handoffs_total"]} hand-offs, {moved} shards moved");
            Assert.Equal(0, secondMetrics.GetValueOrDefault("aegis_shard_handoffs_total"));
            Assert.Equal(401, firstMetrics["aegis_keys"] + secondMetrics["aegis_keys"]);

            // The shards' own figures, as the admin API gathers them from wherever each runs.
            using var http = new HttpClient();
            var stats = await http.GetFromJsonAsync<JsonElement>($"http://127.0.0.1:{first.Node.HealthPort}/admin/shards/stats");
            var nodes = stats.GetProperty("nodes").EnumerateArray().ToDictionary(n => n.GetProperty("nodeId").GetString()!);
            Assert.Equal(401, nodes.Values.Sum(n => n.GetProperty("keys").GetInt64()));
            Assert.Equal(moved, nodes["it-b"].GetProperty("serving").GetInt64());
            Assert.Equal((long)secondMetrics["aegis_memory_used_bytes"], nodes["it-b"].GetProperty("bytes").GetInt64());
        }
        finally
        {
            if (second is not null)
            {
                await second.DisposeAsync();
                second.DeleteData();
            }

            if (first is not null)
            {
                await first.DisposeAsync();
                first.DeleteData();
            }

            File.Delete(config);
        }
    }

    // The node each shard runs on (null when none), as the admin API of a node reports them.
    private static async Task<string?[]> OwnersAsync(TestNode node)
    {
        using var http = new HttpClient();
        var shards = await http.GetFromJsonAsync<JsonElement>($"http://127.0.0.1:{node.Node.HealthPort}/admin/shards");
        return [.. shards.GetProperty("shards").EnumerateArray().Select(s => s.GetProperty("owner").GetString())];
    }
}
