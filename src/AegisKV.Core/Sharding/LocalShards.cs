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

    /// <summary>Shards serving on this node now.</summary>
    public int Count => _running.Count;

    /// <summary>The shard's actor when it runs here and serves.</summary>
    public bool TryGet(int shardId, out IActorRef shard) => _running.TryGetValue(shardId, out shard!);

    /// <summary>Called by a shard actor once it serves.</summary>
    public void Serving(int shardId, IActorRef shard) => _running[shardId] = shard;

    /// <summary>Called by a shard actor when it starts handing off or stops.</summary>
    public void Leaving(int shardId, IActorRef shard) => _running.TryRemove(new KeyValuePair<int, IActorRef>(shardId, shard));
}
