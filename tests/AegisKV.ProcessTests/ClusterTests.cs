using System.Diagnostics;
using Xunit.Abstractions;

namespace AegisKV.ProcessTests;

/// <summary>
/// A cluster of real nodes on loopback: formed from one seed it serves every key through every node; a node that
/// joins takes its share of shards with their data; one stopped with SIGTERM hands its shards off and exits 0; one
/// killed takes only its own keys away (CLUSTERDOWN) until it returns with them; after a full stop the nodes wait
/// for a majority and then every key is back.
/// </summary>
[Collection(nameof(ClusterProcesses))]
public sealed class ClusterTests(ITestOutputHelper output)
{
    private const int Keys = 3000;
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(60);

    private void Report(string text, [System.Runtime.CompilerServices.CallerMemberName] string test = "") => Figures.Report(output, test, text);

    [Fact(Timeout = 180_000)]
    public async Task Three_nodes_should_serve_every_key_through_every_node_take_in_a_fourth_and_let_one_go_with_SIGTERM()
    {
        using var budget = new CancellationTokenSource(TimeSpan.FromSeconds(170));
        await using var cluster = new TestCluster(3);
        await cluster.FormAsync(budget.Token);

        // A shard placed before every node was up may still be moving to its node: a write it refuses is sent again.
        await ClusterKeys.WriteUntilAcknowledgedAsync(cluster.ClientPorts, "k", Keys, TimeSpan.FromSeconds(60), budget.Token);
        for (var i = 0; i < 3; i++)
        {
            await AssertAllFoundAsync(cluster, cluster[i], $"3 nodes, read through {cluster.NodeId(i)}", budget.Token);
        }

        // Values of 10 MB through every node: most land on a shard of another node, and cross whole.
        var big = new string('x', 10 << 20);
        for (var i = 0; i < 3; i++)
        {
            await using var writer = await RespConnection.ConnectAsync(cluster[i].ClientPort, budget.Token);
            Assert.Equal(new RespReply('+', "OK"), await writer.ExecuteAsync(budget.Token, "SET", "big:" + i, big));
        }

        await using (var reader = await RespConnection.ConnectAsync(cluster[1].ClientPort, budget.Token))
            for (var i = 0; i < 3; i++)
                Assert.Equal(new RespReply(':', (10 << 20).ToString(System.Globalization.CultureInfo.InvariantCulture)), await reader.ExecuteAsync(budget.Token, "STRLEN", "big:" + i));

        // The operator's view, through any node's health port.
        var show = await AegisProcess.RunAsync(["cluster", "show", "--node", "127.0.0.1:" + cluster[1].HealthPort], Limits.Command, budget.Token);
        var shards = await AegisProcess.RunAsync(["shards", "--node", "127.0.0.1:" + cluster[2].HealthPort], Limits.Command, budget.Token);
        // Placement may still be moving a shard (its owner then shows as "-"): look again for a while.
        for (var i = 0; i < 20 && shards.StandardOutput.Contains(" - ", StringComparison.Ordinal); i++)
        {
            await Task.Delay(500, budget.Token);
            shards = await AegisProcess.RunAsync(["shards", "--node", "127.0.0.1:" + cluster[2].HealthPort], Limits.Command, budget.Token);
        }

        Report("$ aegis cluster show\n" + show.StandardOutput.TrimEnd() + "\n$ aegis shards\n" + shards.StandardOutput);
        Assert.True(show.ExitCode == 0 && shards.ExitCode == 0, show.Describe() + shards.Describe());
        var memberLines = show.StandardOutput.Split('\n').Where(l => l.StartsWith("node-", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, memberLines.Count(l => l.Contains(" Up ", StringComparison.Ordinal)));
        var shardLines = shards.StandardOutput.Split('\n').Skip(1).Where(l => l.Length > 0).ToList();
        Assert.Equal(8, shardLines.Count);
        Assert.Equal(3, shardLines.Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[2]).Distinct().Count());

        // Per node, the keys its shards hold: together every key written, the three big values among them.
        var stats = await AegisProcess.RunAsync(["shards", "stats", "--node", "127.0.0.1:" + cluster[0].HealthPort], Limits.Command, budget.Token);
        var statsJson = await AegisProcess.RunAsync(["shards", "stats", "--json", "--node", "127.0.0.1:" + cluster[0].HealthPort], Limits.Command, budget.Token);
        Report("$ aegis shards stats\n" + stats.StandardOutput);
        Assert.True(stats.ExitCode == 0 && statsJson.ExitCode == 0, stats.Describe() + statsJson.Describe());
        var perNode = System.Text.Json.JsonDocument.Parse(statsJson.StandardOutput).RootElement.GetProperty("nodes").EnumerateArray().ToList();
        Assert.Equal(Keys + 3, perNode.Sum(n => n.GetProperty("keys").GetInt64()));
        Assert.True(perNode.Sum(n => n.GetProperty("bytes").GetInt64()) > 3L * (10 << 20));

        // The checklist, through a node of this cluster left at its defaults: warnings (one copy, no TLS, no token), no failure.
        var doctor = await AegisProcess.RunAsync(["doctor", "--node", "127.0.0.1:" + cluster[0].HealthPort], Limits.Command, budget.Token);
        Report("$ aegis doctor\n" + doctor.StandardOutput);
        Assert.True(doctor.ExitCode == 0, doctor.Describe());
        bool Row(string check, string verdict) => doctor.StandardOutput.Split('\n').Any(l => l.Contains(check, StringComparison.Ordinal) && l.Contains($" {verdict} ", StringComparison.Ordinal));
        Assert.True(Row("Replication factor", "WARN") && Row("Auth token", "WARN") && Row("Cluster size", "PASS"), doctor.Describe());
        Assert.DoesNotContain("FAIL", doctor.StandardOutput, StringComparison.Ordinal);

        // A cluster-aware client reads the slot map and sends each key to the node its shard runs on.
        using (var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(string.Join(",", cluster.ClientPorts.Select(p => "127.0.0.1:" + p))))
        {
            var server = redis.GetServer("127.0.0.1", cluster[0].ClientPort);
            var nodes = server.ClusterConfiguration?.Nodes.Count ?? 0;
            var db = redis.GetDatabase();
            for (var i = 0; i < 300; i++) Assert.True(await db.StringSetAsync("se:" + i, "v" + i));
            var read = 0;
            for (var i = 0; i < 300; i++) read += await db.StringGetAsync("se:" + i) == "v" + i ? 1 : 0;
            Report($"StackExchange.Redis: server type {server.ServerType}, {nodes} nodes in the slot map, 300 keys written and {read} read back");
            Assert.Equal(StackExchange.Redis.ServerType.Cluster, server.ServerType);
            Assert.Equal(3, nodes);
            Assert.Equal(300, read);
        }

        var fourth = cluster.AddSlot();
        await cluster.Start(fourth).WaitUntilReadyAsync(Limits.Startup, budget.Token);
        var moved = await WaitForHandoffsToAsync(cluster, cluster.NodeId(fourth), budget.Token);
        Report($"{cluster.NodeId(fourth)} joined: {moved} shards handed off to it with their data");
        if (moved <= 0) Report(cluster.Excerpt(12, "hand", "rebalanc", "unreachable", "warn", "error", "members"));
        Assert.True(moved > 0, $"no shard moved to the new node\n{cluster.Describe()}");
        var (_, metrics) = await cluster[0].GetHealthAsync("/metrics", budget.Token);
        var lines = metrics.Split('\n');
        Report(string.Join("; ", lines.Where(l => l.StartsWith("aegis_cluster_members{status=\"up\"}", StringComparison.Ordinal)
                                                             || l.StartsWith("aegis_shards_owned ", StringComparison.Ordinal)
                                                             || l.StartsWith("aegis_shard_handoffs_total ", StringComparison.Ordinal))));
        Assert.Contains("aegis_cluster_members{status=\"up\"} 4", lines);
        for (var i = 0; i < 4; i++)
        {
            await AssertAllFoundAsync(cluster, cluster[i], $"4 nodes, read through {cluster.NodeId(i)}", budget.Token);
        }

        var leaving = cluster[1];
        var clock = Stopwatch.StartNew();
        leaving.Terminate();
        var exitCode = await leaving.WaitForExitAsync(TimeSpan.FromSeconds(60), budget.Token);
        var handedOff = leaving.StandardOutput.Split('\n').Count(l => l.Contains(" handed off to ", StringComparison.Ordinal));
        Report($"SIGTERM {cluster.NodeId(1)}: exit code {exitCode} after {clock.Elapsed.TotalSeconds:0.0} s, {handedOff} shards handed off");
        Assert.True(exitCode == 0, leaving.Describe());
        await cluster.ForgetAsync(1);
        foreach (var i in new[] { 0, 2, 3 })
        {
            await AssertAllFoundAsync(cluster, cluster[i], $"after SIGTERM, read through {cluster.NodeId(i)}", budget.Token);
        }
    }

    [Fact(Timeout = 180_000)]
    public async Task Killing_a_node_should_take_only_its_keys_away_with_CLUSTERDOWN_until_it_returns_with_them()
    {
        using var budget = new CancellationTokenSource(TimeSpan.FromSeconds(170));
        await using var cluster = new TestCluster(3);
        await cluster.FormAsync(budget.Token);
        await ClusterKeys.WriteUntilAcknowledgedAsync(cluster.ClientPorts, "k", Keys, TimeSpan.FromSeconds(60), budget.Token);
        await AssertAllFoundAsync(cluster, cluster[0], "before kill -9, read through " + cluster.NodeId(0), budget.Token);

        var clock = Stopwatch.StartNew();
        cluster[2].Kill();
        await cluster[2].WaitForExitAsync(Limits.Reap, budget.Token);
        // Until the cluster has downed it, requests for its shards wait; then they answer CLUSTERDOWN at once.
        ClusterKeys.ReadCount read;
        TimeSpan? firstClusterDown = null;
        do
        {
            read = await ClusterKeys.ReadAsync(cluster[0].ClientPort, "k", Keys, budget.Token);
            if (read.ClusterDown > 0) firstClusterDown ??= clock.Elapsed;
        }
        while ((read.ClusterDown == 0 || read.OtherCount > 0) && clock.Elapsed < Settle);

        Report($"kill -9 {cluster.NodeId(2)}: first CLUSTERDOWN after {firstClusterDown?.TotalSeconds:0.0} s, " +
                         $"every other key served after {clock.Elapsed.TotalSeconds:0.0} s: {read}");
        Assert.True(read.ClusterDown > 0 && read.OtherCount == 0 && read.Found + read.ClusterDown == Keys, $"{read}\n{cluster.Describe()}");
        Assert.True(read.Found > 0, $"{read}\n{cluster.Describe()}");

        await cluster.ForgetAsync(2);
        clock.Restart();
        await cluster.Start(2).WaitUntilReadyAsync(Limits.Startup, budget.Token);
        var after = await ClusterKeys.ReadUntilAllFoundAsync(cluster[0].ClientPort, "k", Keys, Settle, budget.Token);
        Report($"{cluster.NodeId(2)} back: every key served after {clock.Elapsed.TotalSeconds:0.0} s: {after}");
        Assert.True(after.Found == Keys, $"{after}\n{cluster.Describe()}");
    }

    [Fact(Timeout = 180_000)]
    public async Task After_a_full_stop_nodes_should_wait_for_a_majority_and_then_serve_every_key_whatever_order_they_start_in()
    {
        using var budget = new CancellationTokenSource(TimeSpan.FromSeconds(170));
        await using var cluster = new TestCluster(3);
        await cluster.FormAsync(budget.Token);
        await ClusterKeys.WriteUntilAcknowledgedAsync(cluster.ClientPorts, "k", Keys, TimeSpan.FromSeconds(60), budget.Token);
        await AssertAllFoundAsync(cluster, cluster[2], "before the full stop, read through " + cluster.NodeId(2), budget.Token);

        for (var i = 0; i < 3; i++)
        {
            cluster[i].Kill();
            await cluster[i].WaitForExitAsync(Limits.Reap, budget.Token);
            await cluster.ForgetAsync(i);
        }

        // Alone, the first seed forms a cluster again but must not serve: two of its three members are away.
        var first = cluster.Start(0);
        var waiting = await WaitForReadyBodyAsync(first, "wait", budget.Token);
        Report($"{cluster.NodeId(0)} alone: /ready says {waiting}");
        Assert.Contains("a majority of the cluster's last known members", waiting.Replace("\\u0027", "'", StringComparison.Ordinal), StringComparison.Ordinal);
        var alone = await ClusterKeys.ReadAsync(first.ClientPort, "k", 1, budget.Token);
        Assert.True(alone.ClusterDown == 1, alone.ToString());

        cluster.Start(2);
        cluster.Start(1);
        await cluster.StartAllAsync(budget.Token);
        for (var i = 0; i < 3; i++)
        {
            await AssertAllFoundAsync(cluster, cluster[i], $"restarted in the order {cluster.NodeId(0)}, {cluster.NodeId(2)}, {cluster.NodeId(1)}; read through {cluster.NodeId(i)}", budget.Token);
        }
    }

    [Fact(Timeout = 240_000)]
    public async Task A_rolling_restart_of_every_node_under_write_load_should_lose_no_acknowledged_write()
    {
        using var budget = new CancellationTokenSource(TimeSpan.FromSeconds(230));
        // Laid out as the production checklist does: node-1 without --seeds, the others name it. Restarted, node-1
        // rejoins through the members it last knew instead of forming a cluster of its own.
        await using var cluster = new TestCluster(3, firstHasNoSeeds: true);
        await cluster.FormAsync(budget.Token);
        var ports = cluster.ClientPorts.ToArray();

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(budget.Token);
        var writers = Enumerable.Range(0, 3).Select(w => Task.Run(() => WriteUntilStoppedAsync(ports, w, stop.Token))).ToArray();
        await Task.Delay(2000, budget.Token);
        for (var i = 0; i < 3; i++)
        {
            var clock = Stopwatch.StartNew();
            cluster[i].Terminate();
            var exitCode = await cluster[i].WaitForExitAsync(TimeSpan.FromSeconds(60), budget.Token);
            Assert.True(exitCode == 0, cluster[i].Describe());
            await cluster.ForgetAsync(i);
            await cluster.Start(i).WaitUntilReadyAsync(Limits.Startup, budget.Token);
            await WaitForHandoffsToAsync(cluster, cluster.NodeId(i), budget.Token);
            Report($"{cluster.NodeId(i)} restarted (SIGTERM exit 0) and took its shards back in {clock.Elapsed.TotalSeconds:0.0} s");
            if (i == 0) Assert.Contains("No --seeds: rejoining the cluster", cluster[0].StandardOutput, StringComparison.Ordinal);
        }

        await stop.CancelAsync();
        var written = await Task.WhenAll(writers);
        var acknowledged = written.Sum(w => w.Acknowledged.Count);
        var errors = written.Sum(w => w.Errors);
        var found = 0;
        var lost = new List<string>();
        await using (var reader = await RespConnection.ConnectAsync(ports[0], budget.Token))
        {
            foreach (var (writer, result) in written.Select((r, w) => (w, r)))
            foreach (var i in result.Acknowledged)
            {
                var reply = await reader.ExecuteAsync(budget.Token, "GET", ClusterKeys.Key($"roll:{writer}", i));
                if (reply.Type == '$' && reply.Text == ClusterKeys.Value(i)) found++;
                else if (lost.Count < 5) lost.Add($"roll:{writer}:{i} = {reply}");
            }
        }

        Report($"rolling restart under load: {acknowledged} writes acknowledged, {found} found, {acknowledged - found} lost, " +
                         $"{errors} refused or cut off (not acknowledged: {string.Join("; ", written.SelectMany(w => w.Samples).Distinct().Take(4))})");
        Assert.True(acknowledged > 1000, $"too few writes to tell: {acknowledged}");
        Assert.True(found == acknowledged, $"{acknowledged - found} acknowledged writes lost: {string.Join("; ", lost)}\n{cluster.Describe()}");
    }

    // Sets roll:w:1, roll:w:2, ... one at a time through a node, moving to the next node when the connection ends.
    private static async Task<WriterResult> WriteUntilStoppedAsync(int[] ports, int writer, CancellationToken stop)
    {
        var result = new WriterResult();
        var node = writer % ports.Length;
        RespConnection? connection = null;
        for (var i = 1; !stop.IsCancellationRequested; i++)
        {
            try
            {
                connection ??= await RespConnection.ConnectAsync(ports[node], stop);
                var reply = await connection.ExecuteAsync(stop, "SET", ClusterKeys.Key($"roll:{writer}", i), ClusterKeys.Value(i));
                if (reply is { Type: '+', Text: "OK" }) result.Acknowledged.Add(i);
                else result.Refused(reply.ToString());
            }
            catch (Exception e) when (e is IOException or EndOfStreamException or System.Net.Sockets.SocketException or InvalidDataException)
            {
                result.Refused(e.GetType().Name);
                if (connection is not null) await connection.DisposeAsync();
                connection = null;
                node = (node + 1) % ports.Length;
                await Task.Delay(100, CancellationToken.None);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
        }

        if (connection is not null) await connection.DisposeAsync();
        return result;
    }

    private sealed class WriterResult
    {
        public List<int> Acknowledged { get; } = [];

        public int Errors { get; private set; }

        public HashSet<string> Samples { get; } = [];

        public void Refused(string what)
        {
            Errors++;
            if (Samples.Count < 4) Samples.Add(what.Length > 80 ? what[..80] : what);
        }
    }

    // Reads every key through node, retrying while the cluster settles, and prints how they read.
    private async Task AssertAllFoundAsync(TestCluster cluster, AegisProcess node, string label, CancellationToken ct,
        [System.Runtime.CompilerServices.CallerMemberName] string test = "")
    {
        var read = await ClusterKeys.ReadUntilAllFoundAsync(node.ClientPort, "k", Keys, Settle, ct);
        Report($"{label}: {read}", test);
        Assert.True(read.Found == Keys, $"{read}\n{cluster.Describe()}");
    }

    // Counts the shards other nodes handed off to nodeId, once that count has not changed for a few seconds.
    private static async Task<int> WaitForHandoffsToAsync(TestCluster cluster, string nodeId, CancellationToken ct)
    {
        var line = " handed off to " + nodeId + ":";
        var last = -1;
        var stableSince = Stopwatch.StartNew();
        var limit = Stopwatch.StartNew();
        while (limit.Elapsed < Settle)
        {
            var count = 0;
            for (var i = 0; i < cluster.Size; i++)
                if (cluster.IsRunning(i)) count += cluster[i].StandardOutput.Split('\n').Count(l => l.Contains(line, StringComparison.Ordinal));
            if (count != last)
            {
                last = count;
                stableSince.Restart();
            }
            else if (count > 0 && stableSince.Elapsed > TimeSpan.FromSeconds(4)) break;

            await Task.Delay(250, ct);
        }

        return last;
    }

    private static async Task<string> WaitForReadyBodyAsync(AegisProcess node, string text, CancellationToken ct)
    {
        var last = "";
        for (var i = 0; i < 120; i++)
        {
            try
            {
                var (_, body) = await node.GetHealthAsync("/ready", ct);
                last = body;
                if (body.Contains(text, StringComparison.Ordinal)) return body;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(250, ct);
        }

        return last;
    }
}

/// <summary>Cluster tests start several nodes each: they run one at a time, apart from the other process tests.</summary>
[CollectionDefinition(nameof(ClusterProcesses), DisableParallelization = true)]
public sealed class ClusterProcesses;
