using AegisKV.Storage;

namespace AegisKV.Core.State;

/// <summary>
/// A change to a shard's data, persisted in the WAL. Every event carries the epoch of the
/// primary incarnation that wrote it, so replicas can fence writes from a stale primary.
/// Expiry is always an absolute Unix time in milliseconds (0 = none), so replay is deterministic.
/// </summary>
public interface IShardEvent : IWalEpoch;

/// <summary>A key was set to a value, replacing any previous value and expiry.</summary>
public sealed record ValueSet(long Epoch, byte[] Key, byte[] Value, long ExpireAtMs) : IShardEvent;

/// <summary>Keys were removed.</summary>
public sealed record KeysDeleted(long Epoch, byte[][] Keys) : IShardEvent;

/// <summary>A key's expiry changed; 0 removes it.</summary>
public sealed record ExpirySet(long Epoch, byte[] Key, long ExpireAtMs) : IShardEvent;

/// <summary>Every key of the shard was removed (FLUSHALL).</summary>
public sealed record ShardCleared(long Epoch) : IShardEvent;

/// <summary>A new incarnation of the shard's primary started serving with this epoch.</summary>
public sealed record EpochStarted(long Epoch) : IShardEvent;
