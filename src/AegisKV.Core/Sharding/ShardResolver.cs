using System.IO.Hashing;

namespace AegisKV.Core.Sharding;

/// <summary>
/// Maps a key to its shard. The hash is XxHash3 of the key — stable across processes,
/// machines and versions, unlike <see cref="string.GetHashCode()"/>. As in Redis Cluster,
/// a non-empty <c>{tag}</c> in the key hashes only the tag, so related keys can share a shard.
/// </summary>
public static class ShardResolver
{
    /// <summary>The shard, in <c>[0, shardCount)</c>, that owns <paramref name="key"/>.</summary>
    public static int ShardOf(ReadOnlySpan<byte> key, int shardCount) =>
        (int)(XxHash3.HashToUInt64(HashTag(key)) % (ulong)shardCount);

    /// <summary>The part of the key that is hashed: the first non-empty <c>{…}</c> section, else the whole key.</summary>
    public static ReadOnlySpan<byte> HashTag(ReadOnlySpan<byte> key)
    {
        var open = key.IndexOf((byte)'{');
        if (open < 0) return key;
        var close = key[(open + 1)..].IndexOf((byte)'}');
        return close > 0 ? key.Slice(open + 1, close) : key;
    }
}
