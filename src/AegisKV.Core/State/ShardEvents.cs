using AegisKV.Storage;

namespace AegisKV.Core.State;

/// <summary>
/// A change to a shard's data, persisted in the WAL. Every event carries the epoch of the
/// primary incarnation that wrote it, so replicas can fence writes from a stale primary.
/// Expiry is always an absolute Unix time in milliseconds (0 = none), so replay is deterministic.
/// </summary>
public interface IShardEvent : IWalEpoch;

/// <summary>An event that changes one key (whatever it does to it).</summary>
public interface IKeyEvent : IShardEvent
{
    /// <summary>The key changed.</summary>
    byte[] Key { get; }
}

/// <summary>A key was set to a value, replacing any previous value and expiry.</summary>
public sealed record ValueSet(long Epoch, byte[] Key, byte[] Value, long ExpireAtMs) : IKeyEvent;

/// <summary>Keys were removed.</summary>
public sealed record KeysDeleted(long Epoch, byte[][] Keys) : IShardEvent;

/// <summary>A key's expiry changed; 0 removes it.</summary>
public sealed record ExpirySet(long Epoch, byte[] Key, long ExpireAtMs) : IKeyEvent;

/// <summary>Every key of the shard was removed (FLUSHALL).</summary>
public sealed record ShardCleared(long Epoch) : IShardEvent;

/// <summary>A new incarnation of the shard's primary started serving with this epoch.</summary>
public sealed record EpochStarted(long Epoch) : IShardEvent;

/// <summary>
/// Fields of a hash were set (<paramref name="FieldsAndValues"/>: field, value, field, value, …),
/// creating the hash when missing. A set field loses its own expiry unless <paramref name="KeepTtl"/>.
/// </summary>
public sealed record HashFieldsSet(long Epoch, byte[] Key, byte[][] FieldsAndValues, bool KeepTtl) : IKeyEvent;

/// <summary>Fields of a hash were removed; a hash left without fields is removed.</summary>
public sealed record HashFieldsDeleted(long Epoch, byte[] Key, byte[][] Fields) : IKeyEvent;

/// <summary>The expiry of fields of a hash changed (absolute Unix ms); 0 removes it.</summary>
public sealed record HashFieldsExpirySet(long Epoch, byte[] Key, byte[][] Fields, long ExpireAtMs) : IKeyEvent;

/// <summary>
/// A key was set to a whole value of any type (RENAME, COPY, RESTORE, re-homing), replacing any
/// previous value and expiry. <paramref name="Data"/> is <c>byte[]</c>, a <see cref="HashValue"/> or a <see cref="ListValue"/>.
/// </summary>
public sealed record EntryRestored(long Epoch, byte[] Key, object Data, long ExpireAtMs) : IKeyEvent;

/// <summary>
/// The events of one command (or transaction) of a replicated shard, as one entry of its log: replicas apply all of
/// them or none.
/// </summary>
public sealed record ShardEvents(long Epoch, IShardEvent[] Events) : IShardEvent;

/// <summary>
/// A replica group's members from this entry of the shard's log on: written when a primary's epoch starts
/// (<paramref name="StartsEpoch"/>) and when the members change. Changes no key.
/// </summary>
public sealed record GroupConfigured(long Epoch, bool StartsEpoch, string[] Members) : IShardEvent;


/// <summary>
/// Elements were pushed one by one at the head (<paramref name="Left"/>) or the tail of a list, creating it when
/// missing. <paramref name="Generation"/> is the list's generation after the push (see <see cref="ListValue"/>).
/// </summary>
public sealed record ListPushed(long Epoch, byte[] Key, bool Left, byte[][] Elements, long Generation) : IKeyEvent;

/// <summary>A list kept only its <paramref name="Count"/> elements from <paramref name="Start"/> (pops, LTRIM); a list left empty is removed.</summary>
public sealed record ListTrimmed(long Epoch, byte[] Key, int Start, int Count, long Generation) : IKeyEvent;

/// <summary><paramref name="Removed"/> elements of a list at <paramref name="Index"/> were replaced by <paramref name="Inserted"/> (LSET, LINSERT).</summary>
public sealed record ListSpliced(long Epoch, byte[] Key, int Index, int Removed, byte[][] Inserted, long Generation) : IKeyEvent;

/// <summary>The elements of a list at <paramref name="Indexes"/> (ascending) were removed (LREM); a list left empty is removed.</summary>
public sealed record ListElementsRemoved(long Epoch, byte[] Key, int[] Indexes, long Generation) : IKeyEvent;
