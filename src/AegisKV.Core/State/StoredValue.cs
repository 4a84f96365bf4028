namespace AegisKV.Core.State;

/// <summary>
/// An entry of a shard's map: a key's record (<see cref="KeyRecord"/>: the key and a string, a hash or a list) with its
/// expiry, version and access figures. Records are never changed in place: a write stores a new one, so snapshots and
/// undo records may share them. It takes 24 bytes, as the map holds one per key: the version and the access clock keep
/// 32 bits each.
/// </summary>
public readonly record struct StoredValue
{
    private readonly uint _version;
    // Low 24 bits: the access clock; high 8: the frequency counter.
    private readonly uint _access;

    /// <summary>A record with its expiry, version and access figures.</summary>
    /// <param name="record">The key and its value, as <see cref="KeyRecord"/> makes them.</param>
    /// <param name="expireAtMs">Absolute expiry, Unix milliseconds; 0 for none.</param>
    /// <param name="version">Changes with every change of the key, for WATCH; kept modulo 2^32.</param>
    /// <param name="accessedAt">Last access, in seconds of <see cref="AccessClock.Now"/>.</param>
    /// <param name="frequency">Logarithmic access counter, as Redis's LFU (new keys start at 5).</param>
    public StoredValue(object record, long expireAtMs, long version, int accessedAt = 0, byte frequency = 0)
    {
        Record = record;
        ExpireAtMs = expireAtMs;
        _version = (uint)version;
        _access = Pack(accessedAt, frequency);
    }

    /// <summary>The key and its value, as <see cref="KeyRecord"/> makes them; null in an empty slot of the map.</summary>
    public object Record { get; init; }

    /// <summary>Absolute expiry, Unix milliseconds; 0 for none.</summary>
    public long ExpireAtMs { get; init; }

    /// <summary>Changes with every change of the key, for WATCH; never 0 for a stored key.</summary>
    public long Version
    {
        get => _version;
        init => _version = (uint)value;
    }

    /// <summary>Last access, in seconds of <see cref="AccessClock.Now"/> (24 bits), for LRU and OBJECT IDLETIME.</summary>
    public int AccessedAt
    {
        get => (int)(_access & AccessClock.Mask);
        init => _access = Pack(value, Frequency);
    }

    /// <summary>Logarithmic access counter, as Redis's LFU.</summary>
    public byte Frequency
    {
        get => (byte)(_access >> 24);
        init => _access = Pack(AccessedAt, value);
    }

    /// <summary>The key.</summary>
    public ReadOnlySpan<byte> Key => KeyRecord.Key(Record);

    /// <summary>The string value; only for a string key (the caller has checked the type).</summary>
    public ReadOnlySpan<byte> Value => KeyRecord.StringValue((byte[])Record);

    /// <summary>The string value as a reply, without copying it; only for a string key.</summary>
    public Replies.BulkReply ValueReply()
    {
        var record = (byte[])Record;
        var start = KeyRecord.StringValueStart(record);
        return new Replies.BulkReply(record, start, record.Length - start);
    }

    /// <summary>True when the value is a string.</summary>
    public bool IsString => Record is byte[];

    /// <summary>The hash or the list; null for a string.</summary>
    public object? Object => (Record as KeyedValue)?.Data;

    /// <summary>The value as an object: a copy of a string's bytes, else the hash or the list.</summary>
    public object Payload => KeyRecord.Payload(Record);

    /// <summary>True when the value has an expiry that is at or before <paramref name="nowMs"/>.</summary>
    public bool IsExpired(long nowMs) => ExpireAtMs != 0 && ExpireAtMs <= nowMs;

    private static uint Pack(int accessedAt, byte frequency) => (uint)(accessedAt & AccessClock.Mask) | (uint)frequency << 24;
}
