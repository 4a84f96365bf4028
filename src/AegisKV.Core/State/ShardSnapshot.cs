namespace AegisKV.Core.State;

/// <summary>One key of a shard snapshot.</summary>
public readonly record struct SnapshotEntry(byte[] Key, byte[] Value, long ExpireAtMs);

/// <summary>
/// A shard's whole map at one sequence number. Entries share the (immutable) key and value
/// arrays of the live map, so taking a snapshot copies references, not data.
/// </summary>
public sealed record ShardSnapshot(long Epoch, SnapshotEntry[] Entries);
