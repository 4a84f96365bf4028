using AegisKV.Replication;
using AegisKV.Storage.Replication;

namespace AegisKV.Core.Replication;

/// <summary>
/// What a shard's replica needs from its node and cluster: who it is, how to reach the other members, which group a
/// new shard gets, and where it keeps what it promised. Null in <see cref="Sharding.ShardPeers.Replication"/> when
/// every shard has a single copy.
/// </summary>
public interface IReplicaNetwork
{
    /// <summary>This node's member id: its node id and the store id of its data directory.</summary>
    string Self { get; }

    /// <summary>The protocol's settings (write quorum, heartbeats, leases).</summary>
    ReplicaOptions Options { get; }

    /// <summary>The node's replication figures, which its primaries report to.</summary>
    ReplicationStatus Status { get; }

    /// <summary>Where each shard's promises and group are kept.</summary>
    ReplicaMetadataStore Metadata { get; }

    /// <summary>Sends <paramref name="message"/> to the member it is addressed to, or drops it when that member is unknown.</summary>
    void Send(int shardId, ReplicaMessage message);

    /// <summary>The group a shard that has none gets: the replication factor's first-ranked data nodes (null when too few are known).</summary>
    GroupConfiguration? InitialGroup(int shardId);

    /// <summary>
    /// The group the cluster's durable metadata records for the shard, recording <paramref name="proposed"/> when it
    /// records none (a shard that never existed); null when no majority of the cluster answers.
    /// </summary>
    Task<GroupConfiguration?> RecordedGroupAsync(int shardId, GroupConfiguration proposed);

    /// <summary>
    /// The next change <paramref name="current"/> needs to have the replication factor's members with live copies
    /// (see <see cref="GroupRefill"/>), led by this node's member; null when it needs none.
    /// </summary>
    GroupStep? NextGroupStep(int shardId, GroupConfiguration current);

    /// <summary>
    /// Records in the cluster's durable metadata that the shard's group is <paramref name="group"/>, committed at
    /// <paramref name="sequence"/> of its log (a record of a later one stays); false when no majority answered.
    /// Placement reads it to send the shard to a member that holds a copy.
    /// </summary>
    Task<bool> RecordGroupChangeAsync(int shardId, GroupConfiguration group, long sequence);
}
