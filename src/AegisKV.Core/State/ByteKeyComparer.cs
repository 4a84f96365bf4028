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

    /// <inheritdoc />
    public int GetHashCode(byte[] key) => (int)XxHash3.HashToUInt64(key);
}
