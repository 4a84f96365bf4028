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

    /// <summary>Shards serving on this node now.</summary>
    public int Count => _running.Count;

    /// <summary>The shard's actor when it runs here and serves.</summary>
    public bool TryGet(int shardId, out IActorRef shard) => _running.TryGetValue(shardId, out shard!);

    /// <summary>Called by a shard actor once it serves.</summary>
    public void Serving(int shardId, IActorRef shard) => _running[shardId] = shard;

    /// <summary>Shards that refuse to serve, with why: a request for one is answered at once, never sent.</summary>
    public IReadOnlyDictionary<int, string> Refused => _refused;

    /// <summary>Why the shard refuses to serve, if it does.</summary>
    public bool IsRefused(int shardId, out string reason) => _refused.TryGetValue(shardId, out reason!);

    /// <summary>
    /// Called by a shard actor that cannot recover (its WAL lost acknowledged records). Requests for
    /// it are then answered with the reason without starting it again, so a waiting client cannot make
    /// it retry its recovery in a loop; only a restart of the node, after a repair, clears this.
    /// </summary>
    public void Refusing(int shardId, string reason) => _refused[shardId] = reason;

    /// <summary>Called by a shard actor when it starts handing off or stops.</summary>
    public void Leaving(int shardId, IActorRef shard) => _running.TryRemove(new KeyValuePair<int, IActorRef>(shardId, shard));
}
