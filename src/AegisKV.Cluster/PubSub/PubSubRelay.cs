using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;

namespace AegisKV.Cluster.PubSub;

/// <summary>
/// Carries PUBLISH between nodes over Akka's distributed pub/sub: every node's relay subscribes to one topic, a
/// node publishes each message there once, and each other node hands it to its own subscribers. A message is
/// delivered at most once, as Redis's pub/sub is; nothing is stored.
/// </summary>
public sealed class PubSubRelay : ReceiveActor
{
    /// <summary>The topic every node's relay subscribes to.</summary>
    public const string Topic = "aegis-pubsub";

    /// <summary>The relay's actor name.</summary>
    public const string Name = "pubsub-relay";

    /// <summary>Creates the relay for node <paramref name="nodeId"/>; <paramref name="deliver"/> hands a message to this node's subscribers.</summary>
    public PubSubRelay(string nodeId, Action<ChannelMessage> deliver)
    {
        var mediator = DistributedPubSub.Get(Context.System).Mediator;
        mediator.Tell(new Subscribe(Topic, Self));
        Receive<ChannelMessage>(message =>
        {
            // The node it came from delivered it to its own subscribers already.
            if (message.Origin != nodeId) deliver(message);
        });
        Receive<SubscribeAck>(_ => { });
    }

    /// <summary>Props for the relay.</summary>
    public static Props Props(string nodeId, Action<ChannelMessage> deliver) =>
        Akka.Actor.Props.Create(() => new PubSubRelay(nodeId, deliver));

    /// <summary>Sends <paramref name="message"/> to every node's relay.</summary>
    public static void Publish(ActorSystem system, ChannelMessage message) =>
        DistributedPubSub.Get(system).Mediator.Tell(new Publish(Topic, message));
}
