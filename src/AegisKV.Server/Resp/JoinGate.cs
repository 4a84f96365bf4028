namespace AegisKV.Server.Resp;

/// <summary>
/// Holds a node's key commands back, answering them at once, until the node is admitted to its cluster: a node
/// started with <c>--seeds</c> does not know yet that the cluster maps keys to shards as it does (same shard
/// count), and a write it routed otherwise would land in a shard where no one looks for it.
/// </summary>
public sealed class JoinGate
{
    private volatile Core.Replies.Reply? _closed;

    /// <summary>The answer key commands get while the gate is closed; null when it is open.</summary>
    public Core.Replies.Reply? Closed => _closed;

    /// <summary>Holds key commands back, each answered with <paramref name="reply"/>.</summary>
    public void Close(Core.Replies.Reply reply) => _closed = reply;

    /// <summary>Lets key commands through.</summary>
    public void Open() => _closed = null;
}
