using System.Text;
using AegisKV.Core.Commands;
using AegisKV.Core.Replies;
using AegisKV.Core.Sharding;
using AegisKV.Server.PubSub;

namespace AegisKV.Server.Resp;

// Pub/sub: (P|S)SUBSCRIBE and their UNSUBSCRIBE, PUBLISH, SPUBLISH and PUBSUB, with Redis 7's replies. Confirmations
// and messages are pushes (RESP3) or arrays (RESP2); in RESP2 a subscribed connection runs only the pub/sub commands,
// PING and QUIT, as Redis allows.
internal sealed partial class ClientSession : IDisposable
{
    private static readonly Reply SubscribeKind = Bulk("subscribe"), UnsubscribeKind = Bulk("unsubscribe"),
        PSubscribeKind = Bulk("psubscribe"), PUnsubscribeKind = Bulk("punsubscribe"),
        SSubscribeKind = Bulk("ssubscribe"), SUnsubscribeKind = Bulk("sunsubscribe");

    private Subscriber? _subscriber;

    /// <summary>The connection closed: its subscriptions go.</summary>
    public void Dispose()
    {
        if (_subscriber is { } subscriber) _node.PubSub.Leave(subscriber);
    }

    // RESP2 subscribe mode: what else a subscribed connection sends is refused, as Redis refuses it.
    private Reply? SubscribedRefusal(CommandSpec spec)
    {
        if (_subscriber is not { Active: true } || _client.Protocol >= 3) return null;
        if (spec.Id is CommandId.Subscribe or CommandId.Unsubscribe or CommandId.PSubscribe or CommandId.PUnsubscribe or CommandId.SSubscribe
            or CommandId.SUnsubscribe or CommandId.Ping or CommandId.Quit) return null;
        return Errors.Text($"ERR Can't execute '{spec.LowerNameText}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context");
    }

    // PING while subscribed in RESP2 answers as a message would be: an array of "pong" and the argument.
    private bool PingsAsPush => _subscriber is { Active: true } && _client.Protocol < 3;

    private Reply PubSubCommand(CommandId command, byte[][] arguments)
    {
        switch (command)
        {
            case CommandId.Publish:
                return Reply.Integer(_node.PubSub.Publish(arguments[1], arguments[2], sharded: false));
            case CommandId.SPublish:
                return Reply.Integer(_node.PubSub.Publish(arguments[1], arguments[2], sharded: true));
            case CommandId.PubSub:
                return PubSubInfo(arguments);
            case CommandId.SSubscribe when SameSlotRefusal(arguments) is { } crossSlot:
                return crossSlot;
        }

        var subscriber = _subscriber ??= new Subscriber(_push.Push);
        var (kind, subscribing, confirm) = command switch
        {
            CommandId.Subscribe => (SubscriptionKind.Channel, true, SubscribeKind),
            CommandId.Unsubscribe => (SubscriptionKind.Channel, false, UnsubscribeKind),
            CommandId.PSubscribe => (SubscriptionKind.Pattern, true, PSubscribeKind),
            CommandId.PUnsubscribe => (SubscriptionKind.Pattern, false, PUnsubscribeKind),
            CommandId.SSubscribe => (SubscriptionKind.ShardChannel, true, SSubscribeKind),
            _ => (SubscriptionKind.ShardChannel, false, SUnsubscribeKind),
        };

        var names = arguments[1..];
        // UNSUBSCRIBE with no name: every subscription of its kind.
        if (!subscribing && names.Length == 0) names = [.. Held(subscriber, kind)];
        if (names.Length == 0) return new PushReply([confirm, Reply.Nil, Reply.Integer(CountFor(subscriber, kind))]);
        var frames = new Reply[names.Length];
        for (var i = 0; i < names.Length; i++)
        {
            if (subscribing) _node.PubSub.Subscribe(subscriber, kind, names[i]);
            else _node.PubSub.Unsubscribe(subscriber, kind, names[i]);
            frames[i] = new PushReply([confirm, new BulkReply(names[i]), Reply.Integer(CountFor(subscriber, kind))]);
        }

        return frames.Length == 1 ? frames[0] : new FramesReply(frames);
    }

    private static HashSet<byte[]> Held(Subscriber subscriber, SubscriptionKind kind) => kind switch
    {
        SubscriptionKind.Channel => subscriber.Channels,
        SubscriptionKind.Pattern => subscriber.Patterns,
        _ => subscriber.ShardChannels,
    };

    // Shard channels count on their own; channels and patterns together, as Redis counts them.
    private static int CountFor(Subscriber subscriber, SubscriptionKind kind) =>
        kind == SubscriptionKind.ShardChannel ? subscriber.ShardChannels.Count : subscriber.Count;

    private static Reply? SameSlotRefusal(byte[][] arguments)
    {
        var slot = KeySlots.SlotOf(arguments[1]);
        for (var i = 2; i < arguments.Length; i++)
            if (KeySlots.SlotOf(arguments[i]) != slot) return CrossSlot;
        return null;
    }

    // PUBSUB CHANNELS [pattern] | NUMSUB [channel …] | NUMPAT | SHARDCHANNELS [pattern] | SHARDNUMSUB [channel …]: this node's view, as in Redis Cluster.
    private Reply PubSubInfo(byte[][] arguments)
    {
        var sub = Encoding.ASCII.GetString(arguments[1]).ToUpperInvariant();
        var hub = _node.PubSub;
        switch (sub)
        {
            case "CHANNELS" or "SHARDCHANNELS" when arguments.Length <= 3:
                var channels = hub.ActiveChannels(arguments.Length == 3 ? arguments[2] : null, sharded: sub == "SHARDCHANNELS");
                return new ArrayReply([.. channels.Select(c => (Reply)new BulkReply(c))]);
            case "NUMSUB" or "SHARDNUMSUB":
                var counts = new List<Reply>();
                for (var i = 2; i < arguments.Length; i++)
                {
                    counts.Add(new BulkReply(arguments[i]));
                    counts.Add(Reply.Integer(hub.SubscribersOf(arguments[i], sharded: sub == "SHARDNUMSUB")));
                }

                return new MapReply([.. counts]);
            case "NUMPAT" when arguments.Length == 2:
                return Reply.Integer(hub.PatternCount);
            case "HELP":
                return new ArrayReply([.. new[]
                {
                    "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                    "CHANNELS [<pattern>]", "NUMPAT", "NUMSUB [<channel> ...]", "SHARDCHANNELS [<pattern>]", "SHARDNUMSUB [<shardchannel> ...]", "HELP",
                }.Select(line => (Reply)new SimpleReply(Encoding.ASCII.GetBytes(line)))]);
            default:
                return Errors.UnknownSubcommand(arguments[1], "PUBSUB");
        }
    }
}
