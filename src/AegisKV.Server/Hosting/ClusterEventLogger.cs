using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using AegisKV.Cluster;

namespace AegisKV.Server.Hosting;

/// <summary>
/// Logs membership changes at info (unreachable and downed at warn) with each node's id and address, as
/// operators watch for them during rolling restarts.
/// </summary>
internal sealed class ClusterEventLogger : ReceiveActor
{
    public ClusterEventLogger()
    {
        var log = Context.GetLogger();
        Receive<ClusterEvent.MemberUp>(e => log.Info("Node joined: {0} at {1} ({2})", ClusterRoles.NodeIdOf(e.Member), e.Member.Address, string.Join(",", e.Member.Roles)));
        Receive<ClusterEvent.MemberLeft>(e => log.Info("Node leaving: {0} at {1}", ClusterRoles.NodeIdOf(e.Member), e.Member.Address));
        Receive<ClusterEvent.MemberDowned>(e => log.Warning("Node downed: {0} at {1}", ClusterRoles.NodeIdOf(e.Member), e.Member.Address));
        Receive<ClusterEvent.MemberRemoved>(e => log.Info("Node left: {0} at {1}", ClusterRoles.NodeIdOf(e.Member), e.Member.Address));
        Receive<ClusterEvent.UnreachableMember>(e => log.Warning("Node unreachable: {0} at {1}", ClusterRoles.NodeIdOf(e.Member), e.Member.Address));
        Receive<ClusterEvent.ReachableMember>(e => log.Info("Node reachable again: {0} at {1}", ClusterRoles.NodeIdOf(e.Member), e.Member.Address));
        Receive<ClusterEvent.IClusterDomainEvent>(_ => { });
    }

    protected override void PreStart() =>
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));

    protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
}
