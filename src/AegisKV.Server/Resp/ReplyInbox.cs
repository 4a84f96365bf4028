using System.Collections.Concurrent;
using Akka.Actor;
using AegisKV.Core.Replies;
using AegisKV.Core.Sharding;

namespace AegisKV.Server.Resp;

/// <summary>
/// One connection's path to the shards and return address for their answers. Requests carry an
/// id and the shard's <see cref="ShardBatchReply"/> completes the waiting task directly, so a
/// request costs no temporary actor and no scheduled timeout as <c>Ask</c> would; one timer for
/// all connections answers requests that waited too long with <c>-TRYAGAIN</c>.
/// A request goes straight to the shard's actor when it serves on this node, else through the
/// region. While requests sent through the region to a shard are unanswered, later ones follow
/// the same way, so a request never overtakes an earlier one of the same connection.
/// Answers complete their tasks on the shard actor's thread: what runs there is the connection's
/// short bookkeeping, which is cheaper than a thread-pool hop per request.
/// </summary>
internal sealed class ReplyInbox : MinimalActorRef, IDisposable
{
    private readonly ConcurrentDictionary<long, Pending> _pending = new();
    private readonly IActorRef _region;
    private readonly LocalShards _local;
    private readonly int[] _viaRegion;
    private readonly IActorRefProvider _provider;
    private readonly TimeSpan _timeout;
    private readonly Metrics.ServerMetrics? _metrics;
    private readonly ClientInfo? _client;
    private static readonly ConcurrentDictionary<ReplyInbox, byte> Open = new();

    private static readonly TimeSpan SweepPeriod = TimeSpan.FromMilliseconds(100);

    // One sweep for every open connection: idle connections cost nothing but a dictionary entry.
    // Declared after SweepPeriod, which it reads when the type initializes.
    private static readonly Timer Sweeper = new(static _ => SweepAll(), null, SweepPeriod, SweepPeriod);
    private readonly JoinGate? _gate;
    private readonly int _crossNodeLimit;
    private long _nextId;

    public ReplyInbox(ActorSystem system, IActorRef region, LocalShards local, int shardCount, TimeSpan timeout, Metrics.ServerMetrics? metrics = null, ClientInfo? client = null, JoinGate? gate = null,
        int crossNodeLimit = 0)
    {
        _crossNodeLimit = crossNodeLimit;
        _gate = gate;
        _metrics = metrics;
        _client = client;
        _region = region;
        _local = local;
        _viaRegion = new int[shardCount];
        _provider = ((ExtendedActorSystem)system).Provider;
        _timeout = timeout;
        Path = _provider.TempPath();
        // Registered so the address also works for answers that come over the network.
        _provider.RegisterTempActor(this, Path);
        Open[this] = 0;
        GC.KeepAlive(Sweeper);
    }

    public override ActorPath Path { get; }

    public override IActorRefProvider Provider => _provider;

    /// <summary>
    /// Sends commands to one shard (as one transaction when <paramref name="atomic"/>); the task completes with their replies in order. With a
    /// <paramref name="started"/> timestamp each command is counted in the metrics when answered,
    /// so whole client commands need no continuation of their own for that.
    /// </summary>
    public Task<Reply[]> SendAsync(int shard, ShardCommand[] commands, long started = 0, bool atomic = false)
    {
        if (_gate?.Closed is { } held) return Task.FromResult(Filled(held, commands.Length));
        if (_local.IsUnavailable(shard, out _, out var retryLater)) return Task.FromResult(Unavailable(shard, commands.Length, retryLater));
        var id = Interlocked.Increment(ref _nextId);
        IActorRef? direct = null;
        var viaRegion = Volatile.Read(ref _viaRegion[shard]) > 0 || !_local.TryGet(shard, out direct);
        var target = viaRegion ? _region : direct!;
        if (viaRegion && _crossNodeLimit > 0 && SizeOf(commands) is var size && size > _crossNodeLimit)
            return Task.FromResult(Filled(Errors.Text($"ERR request of {size} bytes is larger than the {_crossNodeLimit >> 20} MB a shard on another node takes (aegis.cluster.max-message-size)"), commands.Length));
        if (viaRegion) Interlocked.Increment(ref _viaRegion[shard]);

        var pending = new Pending(commands, Environment.TickCount64 + (long)_timeout.TotalMilliseconds, viaRegion ? shard : -1, started);
        _pending[id] = pending;
        target.Tell(new ShardBatch(shard, id, commands, atomic), this);
        return pending.Task;
    }

    protected override void TellInternal(object message, IActorRef sender)
    {
        if (message is ShardBatchReply reply && _pending.TryRemove(reply.RequestId, out var pending)) Answer(pending, reply.Replies);
    }

    private void Answer(Pending pending, Reply[]? replies)
    {
        if (pending.RegionShard >= 0) Interlocked.Decrement(ref _viaRegion[pending.RegionShard]);
        replies ??= pending.TryAgain();
        if (pending.Started != 0 && _metrics is { } metrics)
            for (var i = 0; i < replies.Length; i++) metrics.Record(pending.Commands[i].Command, replies[i], pending.Started, _client, pending.Commands[i].Arguments);
        pending.TrySetResult(replies);
    }

    // As Redis Cluster answers for slots no node serves: for now (TRYAGAIN), or until an operator acts (CLUSTERDOWN).
    private static Reply[] Unavailable(int shard, int count, bool retryLater) => Filled(
        retryLater
            ? Errors.Text($"TRYAGAIN shard {shard} could not recover; it tries again shortly")
            : Errors.Text($"CLUSTERDOWN shard {shard} is not served: its WAL lost acknowledged writes; see the node log, and run 'aegis wal repair' with the node stopped"),
        count);

    private static long SizeOf(ShardCommand[] commands)
    {
        long size = 0;
        foreach (var command in commands)
            foreach (var argument in command.Arguments) size += argument.Length;
        return size;
    }

    private static Reply[] Filled(Reply reply, int count)
    {
        var replies = new Reply[count];
        Array.Fill(replies, reply);
        return replies;
    }

    public void Dispose()
    {
        Open.TryRemove(this, out _);
        _provider.UnregisterTempActor(Path);
        foreach (var id in _pending.Keys)
            if (_pending.TryRemove(id, out var pending)) Answer(pending, null);
    }

    private static void SweepAll()
    {
        foreach (var inbox in Open.Keys) inbox.ExpireOverdue();
    }

    private void ExpireOverdue()
    {
        if (_pending.IsEmpty) return;
        var now = Environment.TickCount64;
        foreach (var (id, pending) in _pending)
            if (pending.Deadline <= now && _pending.TryRemove(id, out _)) Answer(pending, null);
    }

    private sealed class Pending(ShardCommand[] commands, long deadline, int regionShard, long started) : TaskCompletionSource<Reply[]>
    {
        public ShardCommand[] Commands { get; } = commands;

        public long Deadline { get; } = deadline;

        // The shard whose region path this request holds open, or -1 when it went direct.
        public int RegionShard { get; } = regionShard;

        // When the client's commands arrived, for the latency metric; 0 when counted elsewhere.
        public long Started { get; } = started;

        public Reply[] TryAgain()
        {
            var replies = new Reply[Commands.Length];
            Array.Fill(replies, Errors.TryAgain);
            return replies;
        }
    }
}
