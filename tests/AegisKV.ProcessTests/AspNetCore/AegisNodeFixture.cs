namespace AegisKV.ProcessTests.AspNetCore;

/// <summary>One real AegisKV node with the tests' flags, shared by the single-node ASP.NET Core scenarios.</summary>
public sealed class AegisNodeFixture : IAsyncLifetime
{
    private readonly TempDirectory _directory = new();

    /// <summary>The running node.</summary>
    public AegisProcess Node { get; private set; } = null!;

    /// <summary>StackExchange.Redis's configuration string for it.</summary>
    public string Configuration => AspNetApps.Configuration([Node.ClientPort]);

    public async Task InitializeAsync()
    {
        Node = AegisProcess.StartNode(_directory.Combine("data"), Limits.NodeFlags);
        await Node.WaitUntilReadyAsync(Limits.Startup);
    }

    public async Task DisposeAsync()
    {
        await Node.DisposeAsync();
        _directory.Dispose();
    }
}
