using Akka.Actor;
using Akka.Event;
using AegisKV.Core.Sharding;

namespace AegisKV.Server.Hosting;

/// <summary>
/// Connections send straight to local shard actors. A batch that reaches one just as it stops
/// (hand-off, crash) lands in dead letters; this sends it on through the shard region, which
/// delivers it wherever the shard runs next, so the client still gets its answer.
/// </summary>
internal sealed class DeadLetterRerouter : ReceiveActor
{
    public DeadLetterRerouter(IActorRef region)
    {
        Receive<DeadLetter>(dead =>
        {
            if (dead.Message is ShardBatch batch && !dead.Recipient.Equals(region)) region.Tell(batch, dead.Sender);
        });
    }

    protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(DeadLetter));

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);
}
