using System.IO.Hashing;

namespace AegisKV.Core.State;

/// <summary>Compares keys by content; keys are raw bytes and never decoded as text.</summary>
public sealed class ByteKeyComparer : IEqualityComparer<byte[]>
{
    /// <summary>The single instance.</summary>
    public static readonly ByteKeyComparer Instance = new();

    private ByteKeyComparer()
    {
    }

    /// <inheritdoc />
    public bool Equals(byte[]? x, byte[]? y) =>
        ReferenceEquals(x, y) || (x is not null && y is not null && x.AsSpan().SequenceEqual(y));

    // Seeded per process so clients cannot pick keys that all land in one bucket. Only in-memory sets and maps of keys
    // use it: shard placement and SCAN order use the unseeded hash, which must never change.
    private static readonly long Seed = System.Security.Cryptography.RandomNumberGenerator.GetInt32(int.MaxValue);

    /// <inheritdoc />
    public int GetHashCode(byte[] key) => (int)XxHash3.HashToUInt64(key, Seed);
}
