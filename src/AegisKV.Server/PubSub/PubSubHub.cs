using AegisKV.Cluster.PubSub;
using AegisKV.Core.Replies;
using AegisKV.Core.State;
using AegisKV.Server.Resp;

namespace AegisKV.Server.PubSub;

/// <summary>
/// The node's channel and pattern subscriptions, and delivery to them. PUBLISH delivers here at once and hands
/// the message to <see cref="Relay"/> for the other nodes (Akka distributed pub/sub, see <see cref="PubSubRelay"/>),
/// whose relays call <see cref="Deliver(ChannelMessage)"/>: a subscriber on any node gets every message published on any node.
/// </summary>
public sealed class PubSubHub
{
    private static readonly Reply MessageKind = Bulk("message"), PatternKind = Bulk("pmessage"), ShardKind = Bulk("smessage");

    private readonly object _gate = new();
    private readonly Dictionary<byte[], List<Subscriber>> _channels = new(ByteKeyComparer.Instance);
    private readonly Dictionary<byte[], List<Subscriber>> _shardChannels = new(ByteKeyComparer.Instance);
    private readonly Dictionary<byte[], List<Subscriber>> _patterns = new(ByteKeyComparer.Instance);

    /// <summary>Sends a message published here to the other nodes; unset on a node on its own.</summary>
    public Action<byte[], byte[], bool>? Relay { get; set; }

    /// <summary>Publishes on this node and, through <see cref="Relay"/>, on every other; returns this node's receivers, as Redis Cluster counts.</summary>
    public int Publish(byte[] channel, byte[] message, bool sharded)
    {
        var receivers = Deliver(channel, message, sharded);
        Relay?.Invoke(channel, message, sharded);
        return receivers;
    }

    /// <summary>Delivers a message from another node to this node's subscribers.</summary>
    public void Deliver(ChannelMessage message) => Deliver(message.Channel, message.Message, message.Sharded);

    /// <summary>Hands a message to every subscriber of its channel, and of each pattern it matches; returns how many got it.</summary>
    public int Deliver(byte[] channel, byte[] message, bool sharded)
    {
        List<(Subscriber, Reply)>? targets = null;
        lock (_gate)
        {
            if ((sharded ? _shardChannels : _channels).TryGetValue(channel, out var direct))
            {
                var frame = new PushReply([sharded ? ShardKind : MessageKind, new BulkReply(channel), new BulkReply(message)]);
                foreach (var subscriber in direct) (targets ??= []).Add((subscriber, frame));
            }

            if (!sharded)
            {
                foreach (var (pattern, subscribers) in _patterns)
                {
                    if (!GlobPattern.IsMatch(pattern, channel)) continue;
                    var frame = new PushReply([PatternKind, new BulkReply(pattern), new BulkReply(channel), new BulkReply(message)]);
                    foreach (var subscriber in subscribers) (targets ??= []).Add((subscriber, frame));
                }
            }
        }

        if (targets is null) return 0;
        // Outside the lock: a push only queues the frame on the subscriber's connection.
        foreach (var (subscriber, frame) in targets) subscriber.Push(frame);
        return targets.Count;
    }

    /// <summary>Adds a subscription; false when the subscriber had it already.</summary>
    public bool Subscribe(Subscriber subscriber, SubscriptionKind kind, byte[] name)
    {
        if (!Own(subscriber, kind).Add(name)) return false;
        lock (_gate)
        {
            var table = Table(kind);
            if (!table.TryGetValue(name, out var subscribers)) table[name] = subscribers = [];
            subscribers.Add(subscriber);
        }

        return true;
    }

    /// <summary>Removes a subscription; false when the subscriber did not have it.</summary>
    public bool Unsubscribe(Subscriber subscriber, SubscriptionKind kind, byte[] name)
    {
        if (!Own(subscriber, kind).Remove(name)) return false;
        lock (_gate)
        {
            var table = Table(kind);
            if (table.TryGetValue(name, out var subscribers) && subscribers.Remove(subscriber) && subscribers.Count == 0) table.Remove(name);
        }

        return true;
    }

    /// <summary>Drops every subscription of a connection that closed.</summary>
    public void Leave(Subscriber subscriber)
    {
        foreach (var kind in Enum.GetValues<SubscriptionKind>())
            foreach (var name in Own(subscriber, kind).ToArray()) Unsubscribe(subscriber, kind, name);
    }

    /// <summary>Channels (or shard channels) with at least one subscriber, matching <paramref name="pattern"/> when given.</summary>
    public List<byte[]> ActiveChannels(byte[]? pattern, bool sharded)
    {
        lock (_gate)
        {
            var names = new List<byte[]>();
            foreach (var name in (sharded ? _shardChannels : _channels).Keys)
                if (pattern is null || GlobPattern.IsMatch(pattern, name)) names.Add(name);
            return names;
        }
    }

    /// <summary>Subscribers of a channel (or shard channel).</summary>
    public int SubscribersOf(byte[] channel, bool sharded)
    {
        lock (_gate) return (sharded ? _shardChannels : _channels).TryGetValue(channel, out var subscribers) ? subscribers.Count : 0;
    }

    /// <summary>Patterns with at least one subscriber.</summary>
    public int PatternCount
    {
        get
        {
            lock (_gate) return _patterns.Count;
        }
    }

    private Dictionary<byte[], List<Subscriber>> Table(SubscriptionKind kind) => kind switch
    {
        SubscriptionKind.Channel => _channels,
        SubscriptionKind.Pattern => _patterns,
        _ => _shardChannels,
    };

    private static HashSet<byte[]> Own(Subscriber subscriber, SubscriptionKind kind) => kind switch
    {
        SubscriptionKind.Channel => subscriber.Channels,
        SubscriptionKind.Pattern => subscriber.Patterns,
        _ => subscriber.ShardChannels,
    };

    private static Reply Bulk(string text) => new BulkReply(System.Text.Encoding.ASCII.GetBytes(text));
}

/// <summary>What a subscription names.</summary>
public enum SubscriptionKind
{
    /// <summary>A channel (SUBSCRIBE).</summary>
    Channel,
    /// <summary>A glob pattern over channels (PSUBSCRIBE).</summary>
    Pattern,
    /// <summary>A shard channel (SSUBSCRIBE).</summary>
    ShardChannel,
}
