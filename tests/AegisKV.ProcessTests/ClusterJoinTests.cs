using System.Diagnostics;
using Xunit.Abstractions;

namespace AegisKV.ProcessTests;

/// <summary>
/// Nodes joining by --seeds: named as the seed advertises itself they join and serve; named otherwise the joining
/// node says what to fix; with another shard count the joining node is refused in one line and exits 2.
/// </summary>
public sealed class ClusterJoinTests(ITestOutputHelper output)
{
    [Fact(Timeout = Limits.TestTimeoutMs)]
    public async Task A_seed_named_as_it_advertises_itself_should_let_a_node_join()
    {
        using var budget = Limits.TestBudget();
        using var directory = new TempDirectory();
        await using var seed = AegisProcess.StartNode(directory.Combine("a"), Limits.NodeFlags);
        await using var joiner = AegisProcess.StartNode(directory.Combine("b"), [.. Limits.NodeFlags, "--seeds", "127.0.0.1:" + seed.GossipPort]);

        var joined = $"Node joined: pt-{joiner.ClientPort} at akka.tcp://aegis@127.0.0.1:{joiner.GossipPort}";
        Assert.True(await WaitForLineAsync(seed, joined, budget.Token), $"the seed never saw the node join\n{seed.Describe()}\n{joiner.Describe()}");
        Assert.True(await WaitForLineAsync(joiner, joined, budget.Token), $"the node never saw itself join\n{joiner.Describe()}");
        Assert.DoesNotContain("Not joined after", joiner.StandardOutput, StringComparison.Ordinal);

        // Admitted, the joining node serves keys (until then it answers TRYAGAIN), and the seed sees its writes.
        await using var viaJoiner = await RespConnection.ConnectAsync(joiner.ClientPort, budget.Token);
        var set = await viaJoiner.ExecuteAsync(budget.Token, "SET", "joined:k", "v");
        while (set.Type == '-' && set.Text!.StartsWith("TRYAGAIN", StringComparison.Ordinal) && !budget.IsCancellationRequested)
        {
            await Task.Delay(200, budget.Token);
            set = await viaJoiner.ExecuteAsync(budget.Token, "SET", "joined:k", "v");
        }

        Assert.Equal(new RespReply('+', "OK"), set);
        await using var viaSeed = await RespConnection.ConnectAsync(seed.ClientPort, budget.Token);
        Assert.Equal(new RespReply('$', "v"), await viaSeed.ExecuteAsync(budget.Token, "GET", "joined:k"));
    }

    [Fact(Timeout = Limits.TestTimeoutMs)]
    public Task A_node_with_another_shard_count_should_be_refused_in_one_line_and_exit_2() =>
        AssertJoinRefusedAsync(["--shards", "4", "--wal", "fsync"], "this node has --shards 4 but the cluster has 8");

    [Fact(Timeout = Limits.TestTimeoutMs)]
    public Task A_node_with_another_replication_factor_should_be_refused_in_one_line_and_exit_2() =>
        AssertJoinRefusedAsync([.. Limits.NodeFlags, "--replication-factor", "3"], "this node has --replication-factor 3 but the cluster has 1");

    // A node started with these flags, joining a seed of the default ones, is refused in one line and exits 2; the
    // cluster serves on.
    private async Task AssertJoinRefusedAsync(string[] joinerFlags, string expected)
    {
        using var budget = Limits.TestBudget();
        using var directory = new TempDirectory();
        await using var seed = AegisProcess.StartNode(directory.Combine("a"), Limits.NodeFlags);
        await seed.WaitUntilReadyAsync(Limits.Startup, budget.Token);
        await using var joiner = AegisProcess.StartNode(directory.Combine("b"), [.. joinerFlags, "--seeds", "127.0.0.1:" + seed.GossipPort]);

        var exitCode = await joiner.WaitForExitAsync(TimeSpan.FromSeconds(40), budget.Token);
        var line = joiner.StandardOutput.Split('\n').FirstOrDefault(l => l.Contains("Refusing to join", StringComparison.Ordinal));
        output.WriteLine($"exit code {exitCode}: {line?.Trim()}");
        Assert.True(exitCode == 2, $"exit code {exitCode}\n{joiner.Describe()}");
        Assert.Contains(expected, line ?? "", StringComparison.Ordinal);

        await using var viaSeed = await RespConnection.ConnectAsync(seed.ClientPort, budget.Token);
        Assert.Equal(new RespReply('+', "OK"), await viaSeed.ExecuteAsync(budget.Token, "SET", "after:k", "v"));
        Assert.Equal(new RespReply('$', "v"), await viaSeed.ExecuteAsync(budget.Token, "GET", "after:k"));
    }

    [Fact(Timeout = Limits.TestTimeoutMs)]
    public async Task A_node_with_the_node_id_of_a_live_member_should_be_refused_in_one_line_and_exit_2()
    {
        using var budget = Limits.TestBudget();
        using var directory = new TempDirectory();
        await using var seed = AegisProcess.StartNode(directory.Combine("a"), [.. Limits.NodeFlags, "--node-id", "twin"]);
        await seed.WaitUntilReadyAsync(Limits.Startup, budget.Token);
        await using var joiner = AegisProcess.StartNode(directory.Combine("b"), [.. Limits.NodeFlags, "--node-id", "twin", "--seeds", "127.0.0.1:" + seed.GossipPort]);

        var exitCode = await joiner.WaitForExitAsync(TimeSpan.FromSeconds(40), budget.Token);
        var line = joiner.StandardOutput.Split('\n').FirstOrDefault(l => l.Contains("Refusing to join", StringComparison.Ordinal));
        output.WriteLine($"exit code {exitCode}: {line?.Trim()}");
        Assert.True(exitCode == 2, $"exit code {exitCode}\n{joiner.Describe()}");
        Assert.Contains("node id twin is already the member at akka.tcp://aegis@127.0.0.1:" + seed.GossipPort, line ?? "", StringComparison.Ordinal);
        await using var viaSeed = await RespConnection.ConnectAsync(seed.ClientPort, budget.Token);
        Assert.Equal(new RespReply('+', "OK"), await viaSeed.ExecuteAsync(budget.Token, "SET", "after:k", "v"));
    }

    [Fact(Timeout = Limits.TestTimeoutMs)]
    public async Task A_seed_named_by_another_address_than_it_advertises_should_get_one_line_saying_what_to_use()
    {
        using var budget = Limits.TestBudget();
        using var directory = new TempDirectory();
        // Bound to every interface, the seed advertises its host name; the joining node names it 127.0.0.1.
        var seedGossip = FreePorts.Take();
        await using var seed = AegisProcess.StartNode(directory.Combine("a"), [.. Limits.NodeFlags, "--gossip", "0.0.0.0:" + seedGossip]);
        await seed.WaitUntilReadyAsync(Limits.Startup, budget.Token);
        Assert.DoesNotContain($"(advertised 127.0.0.1:{seedGossip})", seed.StandardOutput, StringComparison.Ordinal);
        var clock = Stopwatch.StartNew();
        await using var joiner = AegisProcess.StartNode(directory.Combine("b"), [.. Limits.NodeFlags, "--seeds", "127.0.0.1:" + seedGossip]);

        Assert.True(await WaitForLineAsync(joiner, "Not joined after 15 s", budget.Token), $"no warning\n{joiner.Describe()}");
        output.WriteLine($"warned after {clock.Elapsed.TotalSeconds:0.0} s: {joiner.StandardOutput.Split('\n').First(l => l.Contains("Not joined", StringComparison.Ordinal)).Trim()}");
        Assert.Contains($"127.0.0.1:{seedGossip}", joiner.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("advertised", joiner.StandardOutput, StringComparison.Ordinal);
    }

    private static async Task<bool> WaitForLineAsync(AegisProcess node, string text, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            if (node.StandardOutput.Contains(text, StringComparison.Ordinal)) return true;
            try
            {
                await Task.Delay(200, ct);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return node.StandardOutput.Contains(text, StringComparison.Ordinal);
    }
}
