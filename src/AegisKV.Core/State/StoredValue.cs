namespace AegisKV.Core.State;

/// <summary>A value in a shard's map. Values are never changed in place: a write stores a new array.</summary>
/// <param name="Value">The value bytes.</param>
/// <param name="ExpireAtMs">Absolute expiry, Unix milliseconds; 0 for none.</param>
/// <param name="Version">Changes with every change of the key, for WATCH; never 0.</param>
public readonly record struct StoredValue(byte[] Value, long ExpireAtMs, long Version)
{
    /// <summary>True when the value has an expiry that is at or before <paramref name="nowMs"/>.</summary>
    public bool IsExpired(long nowMs) => ExpireAtMs != 0 && ExpireAtMs <= nowMs;
}
