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
/// region. Per shard, a connection's requests keep one path while any is unanswered: a request
/// that would take another path (the shard left this node, or started here, or restarted) is held
/// until the earlier ones are answered, so it can never overtake one that a stopping shard
/// forwards, that is rerouted from dead letters, or that still waits in the region. A request
/// answered <c>-TRYAGAIN</c> for its timeout still holds its path until its real answer arrives
/// (or twice the timeout more has passed), since it may yet run.
/// Answers complete their tasks on the shard actor's thread: what runs there is the connection's
/// short bookkeeping, which is cheaper than a thread-pool hop per request.
/// </summary>
internal sealed class ReplyInbox : MinimalActorRef, IDisposable
{
    private readonly ConcurrentDictionary<long, Pending> _pending = new();
    private readonly IActorRef _region;
    private readonly LocalShards _local;
    private readonly Lane[] _lanes;
    private readonly IActorRefProvider _provider;
    private readonly TimeSpan _timeout;
    private readonly Metrics.ServerMetrics? _metrics;
    private readonly ClientInfo? _client;
    private static readonly ConcurrentDictionary<ReplyInbox, byte> Open = new();

    private static readonly TimeSpan SweepPeriod = TimeSpan.FromMilliseconds(100);

    // One sweep for every open connection: idle connections cost nothing but a dictionary entry.
    // Declared after SweepPeriod, which it reads when the type initializes.
    private static readonly Timer Sweeper = new(static _ => SweepAll(), null, SweepPeriod, SweepPeriod);
    private static int _sweeping;
    private readonly JoinGate? _gate;
    private readonly int _crossNodeLimit;
    private readonly Core.Scripting.ScriptMonitor? _scripts;
    private long _nextId;
    // The client sent its last byte: a blocking command it sent before, still queued behind an earlier one, must not wait.
    private bool _inputEnded;

    public ReplyInbox(ActorSystem system, IActorRef region, LocalShards local, int shardCount, TimeSpan timeout, Metrics.ServerMetrics? metrics = null, ClientInfo? client = null, JoinGate? gate = null,
        int crossNodeLimit = 0, Core.Scripting.ScriptMonitor? scripts = null)
    {
        _scripts = scripts;
        _crossNodeLimit = crossNodeLimit;
        _gate = gate;
        _metrics = metrics;
        _client = client;
        _region = region;
        _local = local;
        _lanes = new Lane[shardCount];
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
    /// A blocking command (BLPOP) may wait <paramref name="waitMs"/> for data on top of the usual timeout.
    public Task<Reply[]> SendAsync(int shard, ShardCommand[] commands, long started = 0, bool atomic = false, long waitMs = 0)
    {
        if (_gate?.Closed is { } held) return Task.FromResult(Filled(held, commands.Length));
        if (waitMs > 0 && Volatile.Read(ref _inputEnded)) return Task.FromResult(Filled(Errors.TryAgain, commands.Length));
        if (_local.IsUnavailable(shard, out _, out var retryLater)) return Task.FromResult(Unavailable(shard, commands.Length, retryLater));
        // A script has run past its time limit on this shard: Redis answers BUSY until it ends.
        if (_scripts?.IsBusy(shard) == true) return Task.FromResult(Filled(Core.Scripting.ScriptMonitor.Busy, commands.Length));
        var deadline = Environment.TickCount64 + (long)_timeout.TotalMilliseconds;
        deadline = waitMs > long.MaxValue / 2 - deadline ? long.MaxValue / 2 : deadline + waitMs;
        var pending = new Pending(Interlocked.Increment(ref _nextId), shard, commands, atomic, deadline, started) { Blocking = waitMs > 0 };
        lock (_lanes)
        {
            ref var lane = ref _lanes[shard];
            // Requests still on their way through the region: later ones follow them there, which keeps the order.
            var target = lane.Outstanding > 0 && ReferenceEquals(lane.Path, _region) ? _region : Route(shard);
            if (ReferenceEquals(target, _region) && _crossNodeLimit > 0 && SizeOf(commands) is var size && size > _crossNodeLimit)
                return Task.FromResult(Filled(Errors.Text($"ERR request of {size} bytes is larger than the {_crossNodeLimit >> 20} MB a shard on another node takes (aegis.cluster.max-message-size)"), commands.Length));
            _pending[pending.Id] = pending;
            if (lane.Outstanding > 0 && (!ReferenceEquals(lane.Path, target) || lane.Held is { Count: > 0 }))
            {
                pending.Held = true;
                (lane.Held ??= new Queue<Pending>()).Enqueue(pending);
            }
            else Dispatch(ref lane, target, pending);
        }

        return pending.Task;
    }

    protected override void TellInternal(object message, IActorRef sender)
    {
        if (message is not ShardBatchReply reply || !_pending.TryRemove(reply.RequestId, out var pending)) return;
        Release(pending.Shard);
        Answer(pending, reply.Replies);
    }

    private IActorRef Route(int shard) => _local.TryGet(shard, out var direct) ? direct : _region;

    // Called under the lanes' lock, so requests leave in the order they took their lane.
    private void Dispatch(ref Lane lane, IActorRef target, Pending pending)
    {
        lane.Path = target;
        lane.Outstanding++;
        pending.Held = false;
        target.Tell(new ShardBatch(pending.Shard, pending.Id, pending.Commands, pending.Atomic), this);
    }

    // An earlier request of the shard is done with its path; once none is left, the held ones go, on the path of now.
    private void Release(int shard)
    {
        lock (_lanes)
        {
            ref var lane = ref _lanes[shard];
            if (--lane.Outstanding > 0 || lane.Held is not { Count: > 0 } held) return;
            var target = Route(shard);
            while (held.TryDequeue(out var next))
                if (!next.IsAnswered) Dispatch(ref lane, target, next);
        }
    }

    // Completes the client's task once, whichever of the answer, the timeout or the end of the connection comes first.
    private void Answer(Pending pending, Reply[]? replies)
    {
        if (pending.TryClaimAnswer()) Complete(pending, replies);
    }

    private void Complete(Pending pending, Reply[]? replies)
    {
        replies ??= pending.TryAgain();
        // A pipeline of one command (GETs, SETs) is counted at once: every figure is a counter its threads share.
        if (pending.Started != 0 && _metrics is { } metrics && !metrics.TryRecordAlike(pending.Commands, replies, pending.Started))
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
        CancelBlocking();
        foreach (var id in _pending.Keys)
            if (_pending.TryRemove(id, out var pending)) Answer(pending, null);
        _provider.UnregisterTempActor(Path);
    }

    /// <summary>
    /// The client sent its last byte: a blocking command still waiting on its shard is called off there, so no
    /// element is taken for a client that is gone, and answered here, so the connection can end, as Redis frees
    /// a blocked client whose connection closed.
    /// </summary>
    public void CancelBlocking()
    {
        Volatile.Write(ref _inputEnded, true);
        foreach (var (_, pending) in _pending)
        {
            if (!pending.Blocking || pending.IsAnswered) continue;
            if (!pending.Held) CancelAt(pending);
            Answer(pending, null);
        }
    }

    private void CancelAt(Pending pending)
    {
        IActorRef? path;
        lock (_lanes) path = _lanes[pending.Shard].Path;
        path?.Tell(new CancelBlocked(pending.Shard, pending.Id), this);
    }

    // One sweep at a time: a timer callback that outlasts its period (answers run their continuations inline) must
    // not meet the next one, which could see a request answered but its deadline not yet moved and free its path.
    private static void SweepAll()
    {
        if (Interlocked.Exchange(ref _sweeping, 1) != 0) return;
        try
        {
            foreach (var inbox in Open.Keys) inbox.ExpireOverdue();
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }

    // Overdue requests are answered -TRYAGAIN; one that was sent keeps its path for twice the timeout more (it
    // may still run), one that was held is simply never sent. Both are settled before the client hears the answer.
    private void ExpireOverdue()
    {
        if (_pending.IsEmpty) return;
        var now = Environment.TickCount64;
        foreach (var (id, pending) in _pending)
        {
            if (pending.Deadline > now) continue;
            if (!pending.IsAnswered)
            {
                bool claimed;
                lock (_lanes)
                {
                    claimed = pending.TryClaimAnswer();
                    if (pending.Held) _pending.TryRemove(id, out _);
                    else pending.Deadline = now + 2 * (long)_timeout.TotalMilliseconds;
                }

                if (claimed) Complete(pending, null);
            }
            else if (_pending.TryRemove(id, out _)) Release(pending.Shard);
        }
    }

    // A shard's path for one connection: where its unanswered requests went, how many there are, and those held back.
    private struct Lane
    {
        public IActorRef? Path;
        public int Outstanding;
        public Queue<Pending>? Held;
    }

    private sealed class Pending(long id, int shard, ShardCommand[] commands, bool atomic, long deadline, long started) : TaskCompletionSource<Reply[]>
    {
        private int _answered;

        public long Id { get; } = id;

        public int Shard { get; } = shard;

        public ShardCommand[] Commands { get; } = commands;

        public bool Atomic { get; } = atomic;

        public long Deadline { get; set; } = deadline;

        // Waiting in its lane's queue, not sent yet.
        public bool Held { get; set; }

        // A blocking command: cancelled on its shard when the connection closes first.
        public bool Blocking { get; init; }

        // When the client's commands arrived, for the latency metric; 0 when counted elsewhere.
        public long Started { get; } = started;

        public bool IsAnswered => Volatile.Read(ref _answered) != 0;

        public bool TryClaimAnswer() => Interlocked.Exchange(ref _answered, 1) == 0;

        public Reply[] TryAgain()
        {
            var replies = new Reply[Commands.Length];
            Array.Fill(replies, Errors.TryAgain);
            return replies;
        }
    }
}
