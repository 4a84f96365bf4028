using Akka.Actor;
using Akka.Cluster;
using Akka.Event;

namespace AegisKV.Cluster.Custody;

/// <summary>
/// Keeps the custody membership in step with the cluster, on the leader only (one writer): a data node with this
/// cluster's shard count that is up becomes a member; one that left gracefully (it handed its shards off) stops
/// being one. A node that crashed or was downed stays a member, since it may hold the only copy of shards.
/// Changes are sent to every data member's replica, and looked at again every few seconds. Members are added one
/// at a time, each after every shard's entry was written again through the current members: a majority of the
/// larger membership then still meets every value (a value written while the cluster was one node is on that
/// node only, and two nodes that joined later would otherwise make a majority without it).
/// </summary>
public sealed class MembershipKeeper : ReceiveActor, IWithTimers
{
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly CustodyView _view;
    private readonly int _shards;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly ClusterCustody _custody;
    private Membership _sent = Membership.Empty;
    private string? _adding;
    private string _logged = "";
    private readonly HashSet<string> _unconfirmed = [];

    /// <summary>Creates the keeper for a cluster of <paramref name="shards"/> shards.</summary>
    public MembershipKeeper(CustodyView view, int shards, ClusterCustody custody)
    {
        _view = view;
        _shards = shards;
        _custody = custody;
        Receive<Refreshed>(OnRefreshed);
        Receive<ClusterEvent.MemberRemoved>(removed =>
        {
            if (removed.PreviousStatus == MemberStatus.Exiting && IsLeader()) Update(ClusterRoles.NodeIdOf(removed.Member), present: false);
            else Review();
        });
        Receive<ClusterEvent.IClusterDomainEvent>(_ => Review());
        Receive<ClusterEvent.CurrentClusterState>(_ => Review());
        Receive<Tick>(_ => Review());
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props for the keeper.</summary>
    public static Props Props(CustodyView view, int shards, ClusterCustody custody) =>
        Akka.Actor.Props.Create(() => new MembershipKeeper(view, shards, custody));

    /// <inheritdoc />
    protected override void PreStart()
    {
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.LeaderChanged));
        Timers.StartPeriodicTimer("review", Tick.Instance, TimeSpan.FromSeconds(2));
    }

    /// <inheritdoc />
    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private bool IsLeader() => _cluster.State.Leader is { } leader && leader.Equals(_cluster.SelfAddress);

    private void Review()
    {
        if (!IsLeader()) return;
        // A leader that took over with a view not yet merged with its predecessor's adds to it; what the merge
        // makes of both is said once it has arrived.
        LogIfChanged(Current);
        if (_adding is null)
        {
            var joined = _cluster.State.Members.FirstOrDefault(m =>
                m.Status == MemberStatus.Up && _custody.HoldsData(m) && !Current.Contains(ClusterRoles.NodeIdOf(m)) && AgreesWithOlderMembers(m));
            if (joined is not null)
            {
                var nodeId = _adding = ClusterRoles.NodeIdOf(joined);
                Task.WhenAll(Enumerable.Range(0, _shards).Select(_custody.RefreshAsync))
                    .PipeTo(Self, success: written => new Refreshed(nodeId, written.All(w => w)), failure: _ => new Refreshed(nodeId, false));
            }
        }

        // A member that came back on another address: remember where, for its own restarts without seeds.
        foreach (var member in _cluster.State.Members)
        {
            var nodeId = ClusterRoles.NodeIdOf(member);
            if (member.Status == MemberStatus.Up && Current.Contains(nodeId) && Current.AddressOf(nodeId) != member.Address.ToString())
                Update(nodeId, present: true, member.Address.ToString());
        }

        // Not yet saved everywhere (a replica was unreachable): send again.
        if (!_sent.Equals(Membership.Empty)) Broadcast(_sent);
    }

    private Membership Current => _view.Current.Members.Merge(_sent);

    // A member whose shard count or replication factor differs from an older member's is refused on admission and
    // stops: it must never become a member custody waits for, not even when it is the leader itself, briefly.
    private bool AgreesWithOlderMembers(Member member) =>
        _cluster.State.Members.All(older => !older.IsOlderThan(member)
                                            || (ClusterRoles.ShardCountOf(older) == ClusterRoles.ShardCountOf(member)
                                                && ClusterRoles.ReplicationFactorOf(older) == ClusterRoles.ReplicationFactorOf(member)));

    private void OnRefreshed(Refreshed refreshed)
    {
        _adding = null;
        // Once per node: the keeper tries again every few seconds, and says so only when it worked.
        if (!refreshed.Complete && _unconfirmed.Add(refreshed.NodeId)) _log.Warning("Node {0} is not yet counted among the members: not every shard's entry could be written again first", refreshed.NodeId);
        else if (IsLeader()) Update(refreshed.NodeId, present: true, AddressOf(refreshed.NodeId));
        // The next node that joined need not wait for the next look.
        if (refreshed.Complete) Review();
    }

    private string? AddressOf(string nodeId) =>
        _cluster.State.Members.FirstOrDefault(m => m.Status == MemberStatus.Up && ClusterRoles.NodeIdOf(m) == nodeId)?.Address.ToString();

    private void Update(string nodeId, bool present, string? address = null)
    {
        if (Current.Contains(nodeId) == present && (address is null || Current.AddressOf(nodeId) == address)) return;
        _sent = Current.With(nodeId, present, address);
        LogIfChanged(_sent);
        Broadcast(_sent);
    }

    private void LogIfChanged(Membership members)
    {
        var text = members.ToString();
        if (text.Length == 0 || text == _logged) return;
        _logged = text;
        _log.Info("Cluster members holding data are now: {0}", text);
    }

    private void Broadcast(Membership members)
    {
        foreach (var member in _cluster.State.Members)
            if (member.Status is MemberStatus.Up or MemberStatus.Leaving or MemberStatus.Exiting)
                Context.ActorSelection(new RootActorPath(member.Address) / "user" / CustodyReplica.Name).Tell(new MergeMembership(members));
    }

    private sealed record Refreshed(string NodeId, bool Complete);

    private sealed class Tick
    {
        public static readonly Tick Instance = new();
    }
}
