using AegisKV.Core.Replies;
using AegisKV.Core.State;

namespace AegisKV.Server.PubSub;

/// <summary>
/// One connection's subscriptions: changed only by its own commands, read by publishers through the
/// <see cref="PubSubHub"/>. Messages go out through <see cref="Push"/>, between the connection's replies; a
/// subscriber too slow to take them passes its output buffer limit and is disconnected, never slowing a publisher.
/// </summary>
public sealed class Subscriber(Action<Reply> push)
{
    /// <summary>Queues a message for the connection.</summary>
    public Action<Reply> Push { get; } = push;

    /// <summary>Channels of SUBSCRIBE.</summary>
    public HashSet<byte[]> Channels { get; } = new(ByteKeyComparer.Instance);

    /// <summary>Patterns of PSUBSCRIBE.</summary>
    public HashSet<byte[]> Patterns { get; } = new(ByteKeyComparer.Instance);

    /// <summary>Channels of SSUBSCRIBE.</summary>
    public HashSet<byte[]> ShardChannels { get; } = new(ByteKeyComparer.Instance);

    /// <summary>Channels and patterns, as SUBSCRIBE and PSUBSCRIBE count them.</summary>
    public int Count => Channels.Count + Patterns.Count;

    /// <summary>True while the connection holds any subscription (RESP2 subscribe mode).</summary>
    public bool Active => Count + ShardChannels.Count > 0;
}
