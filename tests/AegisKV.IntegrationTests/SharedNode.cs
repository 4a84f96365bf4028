namespace AegisKV.IntegrationTests;

/// <summary>One node for every test of a class (its tests use keys and channels of their own): a node per test costs seconds.</summary>
public sealed class SharedNode : IAsyncLifetime
{
    private TestNode? _node;

    /// <summary>The node.</summary>
    public TestNode Node => _node ?? throw new InvalidOperationException("the node has not started");

    /// <summary>The node's RESP port.</summary>
    public int Port => Node.Node.ClientPort;

    /// <inheritdoc />
    public async Task InitializeAsync() => _node = await TestNode.StartAsync();

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_node is null) return;
        await _node.DisposeAsync();
        _node.DeleteData();
    }
}
