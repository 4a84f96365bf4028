namespace AegisKV.Core.State;

/// <summary>
/// A value in a shard's map: a string (<c>byte[]</c>), a hash (<see cref="HashValue"/>) or a list (<see cref="ListValue"/>). Values are
/// never changed in place: a write stores a new array or a new hash, so snapshots and undo records may
/// share them. It takes 24 bytes, as the map holds one per key: the version and the access clock keep 32 bits each.
/// </summary>
public readonly record struct StoredValue
{
    private readonly uint _version;
    // Low 24 bits: the access clock; high 8: the frequency counter.
    private readonly uint _access;

    /// <summary>A value with its expiry, version and access figures.</summary>
    /// <param name="data">The value: <c>byte[]</c> for a string, <see cref="HashValue"/> for a hash, <see cref="ListValue"/> for a list.</param>
    /// <param name="expireAtMs">Absolute expiry, Unix milliseconds; 0 for none.</param>
    /// <param name="version">Changes with every change of the key, for WATCH; kept modulo 2^32.</param>
    /// <param name="accessedAt">Last access, in seconds of <see cref="AccessClock.Now"/>.</param>
    /// <param name="frequency">Logarithmic access counter, as Redis's LFU (new keys start at 5).</param>
    public StoredValue(object data, long expireAtMs, long version, int accessedAt = 0, byte frequency = 0)
    {
        Data = data;
        ExpireAtMs = expireAtMs;
        _version = (uint)version;
        _access = Pack(accessedAt, frequency);
    }

    /// <summary>The value: <c>byte[]</c> for a string, <see cref="HashValue"/> for a hash, <see cref="ListValue"/> for a list.</summary>
    public object Data { get; init; }

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

    /// <summary>The string value; only for a string key (the caller has checked the type).</summary>
    public byte[] Value => (byte[])Data;

    /// <summary>True when the value is a string.</summary>
    public bool IsString => Data is byte[];

    /// <summary>True when the value has an expiry that is at or before <paramref name="nowMs"/>.</summary>
    public bool IsExpired(long nowMs) => ExpireAtMs != 0 && ExpireAtMs <= nowMs;

    private static uint Pack(int accessedAt, byte frequency) => (uint)(accessedAt & AccessClock.Mask) | (uint)frequency << 24;
}
