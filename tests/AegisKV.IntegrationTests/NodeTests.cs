namespace AegisKV.IntegrationTests;

/// <summary>Tests against one node of their own, started before the class's tests and deleted after them.</summary>
public abstract class NodeTests : IAsyncLifetime
{
    private readonly Dictionary<string, string>? _flags;
    private TestNode? _node;

    /// <summary>A node with the test defaults plus <paramref name="flags"/>.</summary>
    protected NodeTests(Dictionary<string, string>? flags = null) => _flags = flags;

    /// <summary>The node.</summary>
    protected TestNode Node => _node ?? throw new InvalidOperationException("the node has not started");

    /// <summary>The node's RESP port.</summary>
    protected int Port => Node.Node.ClientPort;

    /// <summary>Sends <paramref name="input"/> on a new connection and returns everything the node answers.</summary>
    protected Task<string> Session(string input) => RawClient.SessionAsync(Port, input);

    /// <inheritdoc />
    public virtual async Task InitializeAsync() => _node = await TestNode.StartAsync(_flags);

    /// <inheritdoc />
    public virtual async Task DisposeAsync()
    {
        if (_node is null) return;
        await _node.DisposeAsync();
        _node.DeleteData();
    }
}
