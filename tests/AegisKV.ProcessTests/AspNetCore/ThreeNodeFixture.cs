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
}

/// <summary>The tests sharing <see cref="ThreeNodeFixture"/>: one after another, and alone, as every cluster suite runs.</summary>
[CollectionDefinition(nameof(ThreeNodeCluster), DisableParallelization = true)]
public sealed class ThreeNodeCluster : ICollectionFixture<ThreeNodeFixture>;
