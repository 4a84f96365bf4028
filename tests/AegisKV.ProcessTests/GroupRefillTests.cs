using System.Diagnostics;
using Xunit.Abstractions;

namespace AegisKV.ProcessTests;

/// <summary>
/// Replica groups refilled after a node is lost for good: its groups drop it and take another node, which gets a
/// copy of each shard. Shown by losing a second node afterwards: without the refill, groups that had both would be
/// left without a majority.
/// </summary>
[Collection(nameof(ClusterProcesses))]
public sealed class GroupRefillTests(ITestOutputHelper output)
{
    private const int Keys = 500;
    private const int Shards = 8;

    private void Report(string text, [System.Runtime.CompilerServices.CallerMemberName] string test = "") => Figures.Report(output, test, text);

    [Fact(Timeout = 300_000)]
    public async Task A_node_replaced_by_an_empty_one_should_get_a_copy_of_every_shard_back()
    {
        using var budget = new CancellationTokenSource(TimeSpan.FromSeconds(290));
        await using var cluster = new TestCluster(3, false, "--replication-factor", "3");
        await cluster.FormAsync(budget.Token);
        await ClusterKeys.WriteUntilAcknowledgedAsync(cluster.ClientPorts, "k", Keys, TimeSpan.FromSeconds(60), budget.Token);

        // node-3's disk is replaced: it comes back under its id with an empty data directory (a new store).
        cluster[2].Kill();
        await cluster.ForgetAsync(2);
        cluster.WipeData(2);
        var clock = Stopwatch.StartNew();
        await cluster.Start(2).WaitUntilReadyAsync(TimeSpan.FromSeconds(60), budget.Token);
        await ReplicaGroups.WaitUntilWholeAsync(cluster, [0, 1, 2], Shards, 3, idle: true, TimeSpan.FromSeconds(120), budget.Token);
        var refilled = clock.Elapsed;

        await ReplicaGroups.LoseNodeAndReadAsync(cluster, 0, [1, 2], "k", Keys, budget.Token);
        Report($"{Keys} keys, 3 nodes, 3 copies: every group had node-3 back (empty) as a member in sync {refilled.TotalSeconds:0.0} s after it started; "
               + "then node-1 was killed and every key was read and written through node-2 and node-3");
    }

    [Fact(Timeout = 300_000)]
    public async Task A_node_gone_longer_than_replace_after_should_have_its_copies_made_again_on_the_others()
    {
        using var budget = new CancellationTokenSource(TimeSpan.FromSeconds(290));
        await using var cluster = new TestCluster(4, false, "--replication-factor", "3", "--replace-after", "5s");
        await cluster.FormAsync(budget.Token);
        await ClusterKeys.WriteUntilAcknowledgedAsync(cluster.ClientPorts, "k", Keys, TimeSpan.FromSeconds(60), budget.Token);

        // node-1 is gone for good (it was up first, so it is in the first groups): they take the node they lack.
        var before = await ReplicaGroups.ReadAsync(cluster, [0, 1, 2, 3], budget.Token);
        Assert.Contains(before.Values, group => group.Contains("members=node-1/", StringComparison.Ordinal) || group.Contains("|node-1/", StringComparison.Ordinal));
        cluster[0].Kill();
        await cluster.ForgetAsync(0);
        var clock = Stopwatch.StartNew();
        await ReplicaGroups.WaitUntilWholeAsync(cluster, [1, 2, 3], Shards, 3, idle: true, TimeSpan.FromSeconds(120), budget.Token);
        var refilled = clock.Elapsed;

        await ReplicaGroups.LoseNodeAndReadAsync(cluster, 1, [2, 3], "k", Keys, budget.Token);
        Report($"{Keys} keys, 4 nodes, 3 copies, --replace-after 5s: every group had three members in sync {refilled.TotalSeconds:0.0} s "
               + "after node-1 was killed; then node-2 was killed and every key was read and written through node-3 and node-4");
    }
}
