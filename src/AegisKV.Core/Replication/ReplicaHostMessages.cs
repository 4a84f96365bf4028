using AegisKV.Replication;

namespace AegisKV.Core.Replication;

/// <summary>A replication message for one shard's group, as it travels between nodes' <see cref="ReplicaHost"/>s.</summary>
/// <param name="ShardId">The shard.</param>
/// <param name="Message">The message, addressed to a member.</param>
public sealed record ReplicaEnvelope(int ShardId, ReplicaMessage Message);

/// <summary>
/// Replication messages for shards on one node, sent as one: the envelopes in the order they were sent. Between two
/// nodes, one remote message (one envelope of Akka's, one write, one wake-up of the receiving host) carries what the
/// node's shards sent that node meanwhile, where each would otherwise travel alone.
/// </summary>
/// <param name="Envelopes">The messages, oldest first.</param>
public sealed record ReplicaBatch(IReadOnlyList<ReplicaEnvelope> Envelopes);

/// <summary>
/// A shard actor that is to lead its group on this node asks the host for the shard's replica here: the host stops
/// the follower it runs for the shard, if any, and answers <see cref="TakenOver"/> once it has stopped; from then on
/// the host hands the shard's replication messages to the asker.
/// </summary>
public sealed record TakeOver(int ShardId);

/// <summary>
/// The host's answer to <see cref="TakeOver"/>: no follower of the shard runs here any more. <paramref name="GrantedUntil"/>
/// is when the lease the follower it just stopped granted runs out (monotonic ms); null when none ran just before.
/// </summary>
public sealed record TakenOver(int ShardId, long? GrantedUntil);

/// <summary>A shard actor stops leading here: the shard's messages go to a follower again.</summary>
public sealed record Release(int ShardId);
