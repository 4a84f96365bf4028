using Akka.Actor;
using AegisKV.Cluster.Monitoring;
using AegisKV.Server.Metrics;

namespace AegisKV.Server.Monitoring;

/// <summary>Answers <see cref="GetNodeFigures"/> with this node's latest sample, for any node's dashboard.</summary>
internal sealed class FiguresResponder : ReceiveActor
{
    /// <summary>The actor's name under <c>/user</c>, the same on every node.</summary>
    public const string Name = "figures";

    public FiguresResponder(NodeFiguresSampler sampler) =>
        Receive<GetNodeFigures>(_ => Sender.Tell(sampler.Current));

    public static Props Props(NodeFiguresSampler sampler) => Akka.Actor.Props.Create(() => new FiguresResponder(sampler));
}
