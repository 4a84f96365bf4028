using Akka.Actor;
using AegisKV.Replication;

namespace AegisKV.Core.Replication;

/// <summary>
/// The node's door for replication (<c>/user/replicas</c>): it hands each shard's messages (alone or in a
/// <see cref="ReplicaBatch"/>) to the shard actor leading
/// the shard here, or else to the shard's <see cref="ShardFollower"/>, started on the first message for it. A shard
/// actor that is to lead takes the shard over (<see cref="TakeOver"/>): its follower stops first, so one actor at a
/// time writes the shard's log on this node. Before it hands out anything, it runs its start-up step (the node's
/// damaged copies are discarded there, <see cref="DamagedCopies"/>), holding messages back meanwhile.
/// </summary>
public sealed class ReplicaHost : ReceiveActor, IWithStash
{
    /// <summary>The host's name under <c>/user</c>.</summary>
    public const string Name = "replicas";

    private readonly Func<int, Action<long>, Props> _followerProps;
    // Written by the followers themselves (on their own threads) before they stop, read once they have.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, long> _grants = new();
    private readonly Dictionary<int, IActorRef> _leaders = [];
    private readonly Dictionary<int, IActorRef> _followers = [];
    private readonly Dictionary<IActorRef, (int ShardId, IActorRef Leader)> _stopping = [];
    private readonly Func<Task>? _prepare;
    private long _started;

    /// <summary>
    /// A host whose followers are made by <paramref name="followerProps"/>, given the shard and where to report when the
    /// lease they granted runs out (which the shard actor that takes over waits for, and only that long). It runs
    /// <paramref name="prepare"/>, when given, before anything else.
    /// </summary>
    public ReplicaHost(Func<int, Action<long>, Props> followerProps, Func<Task>? prepare = null)
    {
        _followerProps = followerProps;
        _prepare = prepare;
        if (prepare is null) Serving();
        else Preparing();
    }

    /// <inheritdoc />
    public IStash Stash { get; set; } = null!;

    /// <summary>Props for the host.</summary>
    public static Props Props(Func<int, Action<long>, Props> followerProps, Func<Task>? prepare = null) =>
        Akka.Actor.Props.Create(() => new ReplicaHost(followerProps, prepare));

    /// <inheritdoc />
    protected override void PreStart()
    {
        // Whatever it did or failed to do, it said so: the replicas start either way.
        _prepare?.Invoke().ContinueWith(_ => Prepared.Instance, TaskScheduler.Default).PipeTo(Self);
    }

    private void Preparing()
    {
        Receive<Prepared>(_ =>
        {
            Become(Serving);
            Stash.UnstashAll();
        });
        ReceiveAny(_ => Stash.Stash());
    }

    private void Serving()
    {
        Receive<ReplicaEnvelope>(Route);
        Receive<ReplicaBatch>(batch =>
        {
            foreach (var envelope in batch.Envelopes) Route(envelope);
        });
        Receive<GetCopyState>(get =>
        {
            if (_leaders.TryGetValue(get.ShardId, out var leader)) leader.Forward(get);
            else Follower(get.ShardId).Forward(get);
        });
        Receive<TakeOver>(takeOver =>
        {
            _leaders[takeOver.ShardId] = Sender;
            if (_followers.Remove(takeOver.ShardId, out var follower))
            {
                Context.Watch(follower);
                Context.Stop(follower);
                _stopping[follower] = (takeOver.ShardId, Sender);
            }
            // No follower ran just before: the shard actor that ran here last may have granted a lease; that is not known.
            else Sender.Tell(new TakenOver(takeOver.ShardId, null));
        });
        Receive<Release>(release =>
        {
            if (_leaders.TryGetValue(release.ShardId, out var leader) && leader.Equals(Sender)) _leaders.Remove(release.ShardId);
        });
        Receive<Terminated>(terminated =>
        {
            if (_stopping.Remove(terminated.ActorRef, out var stopped)) stopped.Leader.Tell(new TakenOver(stopped.ShardId, GrantOf(stopped.ShardId)));
            foreach (var (shardId, follower) in _followers)
            {
                if (!follower.Equals(terminated.ActorRef)) continue;
                _followers.Remove(shardId);
                break;
            }
        });
    }

    private void Route(ReplicaEnvelope envelope)
    {
        if (_leaders.TryGetValue(envelope.ShardId, out var leader)) leader.Forward(envelope.Message);
        else Follower(envelope.ShardId).Forward(envelope.Message);
    }

    private long? GrantOf(int shardId) => _grants.TryRemove(shardId, out var until) ? until : null;

    private IActorRef Follower(int shardId)
    {
        if (_followers.TryGetValue(shardId, out var follower)) return follower;
        // A stopped follower's name may still be taken while it terminates: each gets its own.
        var grants = _grants;
        follower = Context.ActorOf(_followerProps(shardId, until => grants[shardId] = until), $"shard-{shardId}-{++_started}");
        Context.Watch(follower);
        _followers[shardId] = follower;
        return follower;
    }

    private sealed class Prepared
    {
        public static readonly Prepared Instance = new();
    }
}
