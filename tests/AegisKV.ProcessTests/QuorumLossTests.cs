using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace AegisKV.ProcessTests;

/// <summary>
/// Five nodes, three copies of each shard: two nodes killed together take the majority of the groups they were both in.
/// Those groups' keys are refused within the request timeout; every other key is served; nothing is lost.
/// </summary>
[Collection(nameof(ClusterProcesses))]
public sealed class QuorumLossTests(ITestOutputHelper output)
{
    private const int Keys = 400;
    private const int Shards = 8;
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(3);

    private void Report(string text, [System.Runtime.CompilerServices.CallerMemberName] string test = "") => Figures.Report(output, test, text);

    [Fact(Timeout = 240_000)]
    public async Task Keys_of_a_group_without_a_majority_should_be_refused_within_the_request_timeout_while_the_other_groups_serve()
    {
        using var budget = new CancellationTokenSource(TimeSpan.FromSeconds(230));
        await using var cluster = new TestCluster(5, false, "--replication-factor", "3");
        cluster.AddConfig($"aegis.request-timeout = {RequestTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s");
        await cluster.FormAsync(budget.Token);
        await ClusterKeys.WriteUntilAcknowledgedAsync(cluster.ClientPorts, "k", Keys, TimeSpan.FromSeconds(60), budget.Token);
        int[] all = [0, 1, 2, 3, 4];
        await ReplicaGroups.WaitUntilWholeAsync(cluster, all, Shards, 3, idle: true, TimeSpan.FromSeconds(60), budget.Token);

        // The two nodes (node-1, which places shards, spared) that are together in the most groups.
        var members = (await ReplicaGroups.ReadAsync(cluster, all, budget.Token)).ToDictionary(
            g => int.Parse(g.Key["group".Length..], CultureInfo.InvariantCulture),
            g => g.Value.Split("members=")[1].Split(',')[0].Split('|').Select(m => m.Split('/')[0]).ToHashSet());
        var (a, b) = (from x in new[] { 1, 2, 3, 4 } from y in new[] { 1, 2, 3, 4 } where x < y select (x, y))
            .MaxBy(p => members.Values.Count(m => m.Contains(cluster.NodeId(p.x)) && m.Contains(cluster.NodeId(p.y))));
        var lost = members.Where(g => g.Value.Contains(cluster.NodeId(a)) && g.Value.Contains(cluster.NodeId(b))).Select(g => g.Key).ToHashSet();
        Assert.NotEmpty(lost);
        var shardOf = await ShardsOfAsync(cluster[0].ClientPort, budget.Token);
        var lostKeys = Enumerable.Range(0, Keys).Where(i => lost.Contains(shardOf[i])).ToList();

        cluster[a].Kill();
        cluster[b].Kill();
        var clock = Stopwatch.StartNew();
        // Once the cluster has downed them, the other groups serve through the survivors; the lost groups' keys are
        // refused. A lost group's primary on a survivor may still answer reads until its read lease runs out (no other
        // primary can be chosen before then, so those reads are still linearizable): wait for both.
        var kept = Enumerable.Range(0, Keys).Except(lostKeys).ToList();
        ClusterKeys.ReadCount read, lostRead = new(lostKeys.Count);
        while ((read = await ClusterKeys.ReadAsync(cluster[0].ClientPort, "k", kept, budget.Token)).Found < kept.Count
               || (lostRead = await ClusterKeys.ReadAsync(cluster[0].ClientPort, "k", lostKeys, budget.Token)).ClusterDown + lostRead.OtherCount < lostKeys.Count)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(90),
                $"{read.Found} of {kept.Count} keys of the other groups found; the lost groups' keys: {lostRead}\n{cluster.Excerpt(20, "does not serve", "leads its group", "Removed")}");
            await Task.Delay(500, budget.Token);
        }

        var served = clock.Elapsed;
        var refusals = new List<string>();
        var slowest = TimeSpan.Zero;
        await using (var connection = await RespConnection.ConnectAsync(cluster[0].ClientPort, budget.Token))
        {
            // A write refused for its timeout may still run once the group is back: it goes to a key of its own, in the same slot.
            foreach (var i in lostKeys.Take(4))
            {
                foreach (var command in new[] { new[] { "GET", ClusterKeys.Key("k", i) }, ["SET", "{" + ClusterKeys.Key("k", i) + "}:new", "new"] })
                {
                    var asked = Stopwatch.StartNew();
                    var reply = await connection.ExecuteAsync(budget.Token, command);
                    slowest = asked.Elapsed > slowest ? asked.Elapsed : slowest;
                    Assert.True(reply.Type == '-' && (reply.Text!.StartsWith("TRYAGAIN", StringComparison.Ordinal) || reply.Text.StartsWith("CLUSTERDOWN", StringComparison.Ordinal)),
                        $"{string.Join(' ', command)} of a group without a majority answered {reply}");
                    Assert.True(asked.Elapsed < RequestTimeout + TimeSpan.FromSeconds(2), $"{string.Join(' ', command)} answered after {asked.Elapsed.TotalSeconds:0.0} s");
                    refusals.Add(reply.Text!);
                }
            }
        }

        // One of the two back: every group has a majority again, and every key (none of the refused writes) is there.
        cluster.Start(a);
        await cluster[a].WaitUntilReadyAsync(TimeSpan.FromSeconds(60), budget.Token);
        var back = await ClusterKeys.ReadUntilAllFoundAsync(cluster[0].ClientPort, "k", Keys, TimeSpan.FromSeconds(60), budget.Token);
        Assert.True(back.Found == Keys, $"with {cluster.NodeId(a)} back: {back}\n{cluster.Describe()}");
        Report($"{Keys} keys, 5 nodes, 3 copies; {cluster.NodeId(a)} and {cluster.NodeId(b)} killed, together in {lost.Count} of {Shards} groups: "
               + $"{read.Found} keys of the other groups served again {served.TotalSeconds:0.0} s later, the {lostKeys.Count} others refused "
               + $"(slowest in {slowest.TotalSeconds:0.0} s, request timeout {RequestTimeout.TotalSeconds:0} s: {refusals.Distinct().First()}); "
               + $"with {cluster.NodeId(a)} back, all {Keys} read");
    }

    // The shard of each key, from its hash slot (shards own equal runs of the 16,384 slots).
    private static async Task<int[]> ShardsOfAsync(int port, CancellationToken cancellationToken)
    {
        var shards = new int[Keys];
        await using var connection = await RespConnection.ConnectAsync(port, cancellationToken);
        for (var i = 0; i < Keys; i++)
        {
            var slot = await connection.ExecuteAsync(cancellationToken, "CLUSTER", "KEYSLOT", ClusterKeys.Key("k", i));
            shards[i] = int.Parse(slot.Text!, CultureInfo.InvariantCulture) / (16384 / Shards);
        }

        return shards;
    }
}
