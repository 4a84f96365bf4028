namespace AegisKV.Core.State;

/// <summary>One key of a shard snapshot: its record (<see cref="KeyRecord"/>), shared with the live map, and its expiry.</summary>
public readonly record struct SnapshotEntry
{
    /// <summary>An entry of <paramref name="key"/> holding <paramref name="data"/> (<c>byte[]</c>, <see cref="HashValue"/> or <see cref="ListValue"/>).</summary>
    public SnapshotEntry(byte[] key, object data, long expireAtMs)
        : this(KeyRecord.Create(key, data), expireAtMs)
    {
    }

    /// <summary>An entry of a record as <see cref="KeyRecord"/> makes it.</summary>
    public SnapshotEntry(object record, long expireAtMs)
    {
        Record = record;
        ExpireAtMs = expireAtMs;
    }

    /// <summary>The key and its value, as <see cref="KeyRecord"/> makes them.</summary>
    public object Record { get; }

    /// <summary>Absolute expiry, Unix milliseconds; 0 for none.</summary>
    public long ExpireAtMs { get; }

    /// <summary>The key.</summary>
    public ReadOnlySpan<byte> Key => KeyRecord.Key(Record);

    /// <summary>The value as an object: a copy of a string's bytes, else the hash or the list.</summary>
    public object Data => KeyRecord.Payload(Record);
}

/// <summary>
/// A shard's whole map at one sequence number. Entries share the (immutable) records of the live map, so taking a
/// snapshot copies references, not data.
/// </summary>
public sealed record ShardSnapshot(long Epoch, SnapshotEntry[] Entries);
