using System.Diagnostics;
using Xunit.Abstractions;

namespace AegisKV.ProcessTests;

/// <summary>Two nodes joining by --seeds: named as the seed advertises itself they join; named otherwise the joining node says what to fix.</summary>
public sealed class ClusterJoinTests(ITestOutputHelper output)
{
    [Fact(Timeout = Limits.TestTimeoutMs)]
    public async Task A_seed_named_as_it_advertises_itself_should_let_a_node_join()
    {
        using var budget = Limits.TestBudget();
        using var directory = new TempDirectory();
        await using var seed = AegisProcess.StartNode(directory.Combine("a"), Limits.NodeFlags);
        await using var joiner = AegisProcess.StartNode(directory.Combine("b"), [.. Limits.NodeFlags, "--seeds", "127.0.0.1:" + seed.GossipPort]);

        var joined = $"Node joined: akka.tcp://aegis@127.0.0.1:{joiner.GossipPort}";
        Assert.True(await WaitForLineAsync(seed, joined, budget.Token), $"the seed never saw the node join\n{seed.Describe()}\n{joiner.Describe()}");
        Assert.True(await WaitForLineAsync(joiner, joined, budget.Token), $"the node never saw itself join\n{joiner.Describe()}");
        Assert.DoesNotContain("Not joined after", joiner.StandardOutput, StringComparison.Ordinal);
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
