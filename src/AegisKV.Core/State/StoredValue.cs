namespace AegisKV.Core.State;

/// <summary>
/// A value in a shard's map: a string (<c>byte[]</c>), a hash (<see cref="HashValue"/>) or a list (<see cref="ListValue"/>). Values are
/// never changed in place: a write stores a new array or a new hash, so snapshots and undo records may
/// share them.
/// </summary>
/// <param name="Data">The value: <c>byte[]</c> for a string, <see cref="HashValue"/> for a hash, <see cref="ListValue"/> for a list.</param>
/// <param name="ExpireAtMs">Absolute expiry, Unix milliseconds; 0 for none.</param>
/// <param name="Version">Changes with every change of the key, for WATCH; never 0.</param>
/// <param name="AccessedAt">Last access, in seconds of <see cref="Environment.TickCount64"/>, for LRU and OBJECT IDLETIME.</param>
/// <param name="Frequency">Logarithmic access counter, as Redis's LFU (new keys start at 5).</param>
public readonly record struct StoredValue(object Data, long ExpireAtMs, long Version, int AccessedAt = 0, byte Frequency = 0)
{
    /// <summary>The string value; only for a string key (the caller has checked the type).</summary>
    public byte[] Value => (byte[])Data;

    /// <summary>True when the value is a string.</summary>
    public bool IsString => Data is byte[];

    /// <summary>True when the value has an expiry that is at or before <paramref name="nowMs"/>.</summary>
    public bool IsExpired(long nowMs) => ExpireAtMs != 0 && ExpireAtMs <= nowMs;
}
