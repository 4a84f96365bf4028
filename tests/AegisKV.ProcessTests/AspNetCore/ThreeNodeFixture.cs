namespace AegisKV.ProcessTests.AspNetCore;

/// <summary>
/// A formed cluster of three real AegisKV nodes, shared by the three-node ASP.NET Core scenarios and the dashboard's
/// tests; each test starts first whatever node an earlier one left stopped.
/// </summary>
public sealed class ThreeNodeFixture : IAsyncLifetime
{
    /// <summary>The cluster.</summary>
    public TestCluster Cluster { get; } = new(3);

    /// <summary>StackExchange.Redis's configuration string for every node.</summary>
    public string Configuration => AspNetApps.Configuration(Cluster.ClientPorts);

    public async Task InitializeAsync()
    {
        using var budget = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await Cluster.FormAsync(budget.Token);
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    /// <summary>
    /// Starts every node an earlier test left stopped, then waits until the cluster has settled: every shard serving
    /// on a running node, every running node serving some, and no shard moved for longer than the rebalance interval
    /// (a node back moves its shards home a few at a time after it is ready, answering TRYAGAIN for those meanwhile).
    /// </summary>
    public async Task StartAllAndSettleAsync(CancellationToken cancellationToken)
    {
        await Cluster.StartAllAsync(cancellationToken);
        var running = Enumerable.Range(0, Cluster.Size).Select(Cluster.NodeId).ToHashSet(StringComparer.Ordinal);
        var stableFor = System.Diagnostics.Stopwatch.StartNew();
        string? last = null;
        while (true)
        {
            var (status, body) = await Cluster[0].GetHealthAsync("/admin/shards", cancellationToken);
            var placement = status == System.Net.HttpStatusCode.OK ? Placement(body, running) : null;
            if (placement is null || placement != last) stableFor.Restart();
            last = placement;
            if (placement is not null && stableFor.Elapsed > TimeSpan.FromSeconds(3)) return;
            await Task.Delay(250, cancellationToken);
        }
    }

    // "shard=owner,…" when every shard serves on a running node and every running node serves one; null otherwise.
    private static string? Placement(string json, IReadOnlySet<string> running)
    {
        using var shards = System.Text.Json.JsonDocument.Parse(json);
        var owners = new List<string>();
        foreach (var shard in shards.RootElement.GetProperty("shards").EnumerateArray())
        {
            if (shard.GetProperty("owner").GetString() is not { } owner || !running.Contains(owner)
                || shard.GetProperty("state").GetString() != "serving") return null;
            owners.Add(owner);
        }

        return running.All(owners.Contains) ? string.Join(',', owners) : null;
    }
}

/// <summary>The tests sharing <see cref="ThreeNodeFixture"/>: one after another, and alone, as every cluster suite runs.</summary>
[CollectionDefinition(nameof(ThreeNodeCluster), DisableParallelization = true)]
public sealed class ThreeNodeCluster : ICollectionFixture<ThreeNodeFixture>;
