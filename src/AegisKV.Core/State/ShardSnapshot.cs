namespace AegisKV.Core.State;

/// <summary>One key of a shard snapshot; <paramref name="Data"/> is as in <see cref="StoredValue.Data"/>.</summary>
public readonly record struct SnapshotEntry(byte[] Key, object Data, long ExpireAtMs);

/// <summary>
/// A shard's whole map at one sequence number. Entries share the (immutable) keys and values
/// of the live map, so taking a snapshot copies references, not data.
/// </summary>
public sealed record ShardSnapshot(long Epoch, SnapshotEntry[] Entries);
