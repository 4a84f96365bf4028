using System.Collections.Concurrent;
using Akka.Actor;
using AegisKV.Core.Replies;
using AegisKV.Core.Sharding;

namespace AegisKV.Server.Resp;

/// <summary>
/// One connection's return address for shard answers. Requests carry an id and the shard's
/// <see cref="ShardBatchReply"/> completes the waiting task directly, so a request costs no
/// temporary actor and no scheduled timeout as <c>Ask</c> would; one timer per connection
/// answers requests that waited too long with <c>-TRYAGAIN</c>.
/// </summary>
internal sealed class ReplyInbox : MinimalActorRef, IDisposable
{
    private readonly ConcurrentDictionary<long, Pending> _pending = new();
    private readonly IActorRefProvider _provider;
    private readonly TimeSpan _timeout;
    private readonly Timer _expiry;
    private long _nextId;

    public ReplyInbox(ActorSystem system, TimeSpan timeout)
    {
        _provider = ((ExtendedActorSystem)system).Provider;
        _timeout = timeout;
        Path = _provider.TempPath();
        // Registered so the address also works for answers that come over the network.
        _provider.RegisterTempActor(this, Path);
        var period = TimeSpan.FromMilliseconds(Math.Clamp(timeout.TotalMilliseconds / 4, 50, 1000));
        _expiry = new Timer(static state => ((ReplyInbox)state!).ExpireOverdue(), this, period, period);
    }

    public override ActorPath Path { get; }

    public override IActorRefProvider Provider => _provider;

    /// <summary>Sends commands to one shard, through <paramref name="target"/> (its actor or the region); the task completes with their replies in order.</summary>
    public Task<Reply[]> SendAsync(IActorRef target, int shard, ShardCommand[] commands)
    {
        var id = Interlocked.Increment(ref _nextId);
        var pending = new Pending(commands.Length, Environment.TickCount64 + (long)_timeout.TotalMilliseconds);
        _pending[id] = pending;
        target.Tell(new ShardBatch(shard, id, commands), this);
        return pending.Task;
    }

    protected override void TellInternal(object message, IActorRef sender)
    {
        if (message is ShardBatchReply reply && _pending.TryRemove(reply.RequestId, out var pending))
            pending.TrySetResult(reply.Replies);
    }

    public void Dispose()
    {
        _expiry.Dispose();
        _provider.UnregisterTempActor(Path);
        foreach (var id in _pending.Keys)
            if (_pending.TryRemove(id, out var pending)) pending.Fail();
    }

    private void ExpireOverdue()
    {
        var now = Environment.TickCount64;
        foreach (var (id, pending) in _pending)
            if (pending.Deadline <= now && _pending.TryRemove(id, out _)) pending.Fail();
    }

    private sealed class Pending(int count, long deadline) : TaskCompletionSource<Reply[]>
    {
        public long Deadline { get; } = deadline;

        public void Fail()
        {
            var replies = new Reply[count];
            Array.Fill(replies, Errors.TryAgain);
            TrySetResult(replies);
        }
    }
}
