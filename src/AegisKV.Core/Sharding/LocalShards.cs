using System.Collections.Concurrent;
using Akka.Actor;

namespace AegisKV.Core.Sharding;

/// <summary>
/// The shard actors running on this node that have recovered and are not handing off. A
/// connection sends straight to one of these instead of through the shard region and the
/// sharding Shard actor, two message hops fewer on every request. Anything else, or a shard
/// being handed off, goes through the region as before.
/// </summary>
public sealed class LocalShards
{
    private readonly ConcurrentDictionary<int, IActorRef> _running = new();
    private readonly ConcurrentDictionary<int, string> _refused = new();
    private readonly ConcurrentDictionary<int, Backoff> _backoff = new();
    private readonly ConcurrentDictionary<int, string> _waiting = new();

    /// <summary>Shards serving on this node now.</summary>
    public int Count => _running.Count;

    /// <summary>The shard's actor when it runs here and serves.</summary>
    public bool TryGet(int shardId, out IActorRef shard) => _running.TryGetValue(shardId, out shard!);

    /// <summary>Called by a shard actor once it serves.</summary>
    public void Serving(int shardId, IActorRef shard)
    {
        _running[shardId] = shard;
        _backoff.TryRemove(shardId, out _);
    }

    /// <summary>Shards that refuse to serve, with why: a request for one is answered at once, never sent.</summary>
    public IReadOnlyDictionary<int, string> Refused => _refused;

    /// <summary>Why the shard refuses to serve, if it does.</summary>
    public bool IsRefused(int shardId, out string reason) => _refused.TryGetValue(shardId, out reason!);

    /// <summary>
    /// Why requests for the shard are answered at once for now, if they are: it refuses to serve, or its
    /// last recovery failed and the next try waits (<paramref name="retryLater"/> is then true).
    /// </summary>
    public bool IsUnavailable(int shardId, out string reason, out bool retryLater)
    {
        retryLater = false;
        if (_refused.TryGetValue(shardId, out reason!)) return true;
        if (_backoff.TryGetValue(shardId, out var backoff) && Environment.TickCount64 < backoff.Until)
        {
            reason = backoff.Reason;
            retryLater = true;
            return true;
        }

        return false;
    }

    /// <summary>
    /// Called by a shard actor whose recovery failed for a reason that may pass (an I/O error): the next
    /// try waits, 1 s doubling to 30 s, so clients waiting for the shard cannot make it retry in a loop.
    /// </summary>
    public void RecoveryFailed(int shardId, string reason) =>
        _backoff.AddOrUpdate(shardId,
            _ => new Backoff(Environment.TickCount64 + 1000, 1000, reason),
            (_, last) => new Backoff(Environment.TickCount64 + Math.Min(last.DelayMs * 2, 30_000), Math.Min(last.DelayMs * 2, 30_000), reason));

    /// <summary>
    /// Called by a shard actor that cannot recover (its WAL lost acknowledged records). Requests for
    /// it are then answered with the reason without starting it again, so a waiting client cannot make
    /// it retry its recovery in a loop; only a restart of the node, after a repair, clears this.
    /// </summary>
    public void Refusing(int shardId, string reason) => _refused[shardId] = reason;

    /// <summary>Shards here that wait for the cluster to tell whether they may serve, with why.</summary>
    public IReadOnlyDictionary<int, string> Waiting => _waiting;

    /// <summary>
    /// Called by a shard actor that cannot learn whether it may serve (no majority of the cluster), with why; null
    /// when it can again. True when this shard is the first of the node to wait, so the node says so once.
    /// </summary>
    public bool WaitingForCluster(int shardId, string? reason)
    {
        if (reason is null)
        {
            _waiting.TryRemove(shardId, out _);
            return false;
        }

        var first = _waiting.IsEmpty;
        _waiting[shardId] = reason;
        return first;
    }

    /// <summary>Called by a shard actor when it starts handing off or stops.</summary>
    public void Leaving(int shardId, IActorRef shard) => _running.TryRemove(new KeyValuePair<int, IActorRef>(shardId, shard));

    private sealed record Backoff(long Until, long DelayMs, string Reason);
}
