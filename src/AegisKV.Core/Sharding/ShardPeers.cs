using Akka.Actor;

namespace AegisKV.Core.Sharding;

/// <summary>
/// What a shard actor needs from the cluster around it: custody of shards, and the shard region that requests
/// go back to while the shard hands off. Shards of a node without them (tests of one shard) serve at once.
/// </summary>
/// <param name="custody">The cluster's record of which node holds each shard's data.</param>
public sealed class ShardPeers(IShardCustody custody)
{
    private IActorRef? _region;

    /// <summary>The cluster's record of which node holds each shard's data.</summary>
    public IShardCustody Custody { get; } = custody;

    /// <summary>The node's shard region; set once, after it started (shards start only after that).</summary>
    public IActorRef? Region
    {
        get => Volatile.Read(ref _region);
        set => Volatile.Write(ref _region, value);
    }

    /// <summary>Longest a hand-off may go without progress before it is given up (the data then stays here).</summary>
    public TimeSpan HandoffTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The replica groups' network when shards have more than one copy; null when each has one.</summary>
    public Replication.IReplicaNetwork? Replication { get; init; }

    /// <summary>The node's <see cref="Replication.ReplicaHost"/>, with <see cref="Replication"/>.</summary>
    public IActorRef? ReplicaHost { get; init; }

    /// <summary>How often a shard that waits for a majority asks again (five times that when its copy is elsewhere).</summary>
    public TimeSpan ClaimRetry { get; init; } = TimeSpan.FromSeconds(1);
}
