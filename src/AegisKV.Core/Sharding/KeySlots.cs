namespace AegisKV.Core.Sharding;

/// <summary>
/// Maps keys to hash slots and slots to shards, as Redis Cluster does: a key's slot is
/// CRC16 (XMODEM) of the key — or of its first non-empty <c>{tag}</c>, so related keys can
/// share a slot — mod 16,384, and shard <c>i</c> of <c>n</c> owns the contiguous slot range
/// <see cref="SlotRange"/>. The mapping decides which WAL holds a key: it may never change
/// without re-homing the keys of every data directory (see <see cref="KeyspaceLayout"/>).
/// </summary>
public static class KeySlots
{
    /// <summary>Number of hash slots.</summary>
    public const int Count = 16384;

    private static readonly ushort[] Table = BuildTable();

    /// <summary>The hash slot, in <c>[0, 16384)</c>, of <paramref name="key"/>.</summary>
    public static int SlotOf(ReadOnlySpan<byte> key)
    {
        ushort crc = 0;
        foreach (var b in HashTag(key)) crc = (ushort)((crc << 8) ^ Table[(crc >> 8) ^ b]);
        return crc & (Count - 1);
    }

    /// <summary>The shard, in <c>[0, shardCount)</c>, that owns <paramref name="slot"/>.</summary>
    public static int ShardOfSlot(int slot, int shardCount) => (int)((long)slot * shardCount / Count);

    /// <summary>The shard, in <c>[0, shardCount)</c>, that owns <paramref name="key"/>.</summary>
    public static int ShardOf(ReadOnlySpan<byte> key, int shardCount) => ShardOfSlot(SlotOf(key), shardCount);

    /// <summary>The first and last slot (inclusive) of shard <paramref name="shard"/>.</summary>
    public static (int First, int Last) SlotRange(int shard, int shardCount)
    {
        // The smallest slot s with s * n / Count >= shard, for shard and shard + 1.
        static int FirstSlot(int shard, int n) => (int)(((long)shard * Count + n - 1) / n);
        return (FirstSlot(shard, shardCount), FirstSlot(shard + 1, shardCount) - 1);
    }

    /// <summary>The part of the key that is hashed: the first non-empty <c>{…}</c> section, else the whole key.</summary>
    public static ReadOnlySpan<byte> HashTag(ReadOnlySpan<byte> key)
    {
        var open = key.IndexOf((byte)'{');
        if (open < 0) return key;
        var close = key[(open + 1)..].IndexOf((byte)'}');
        return close > 0 ? key.Slice(open + 1, close) : key;
    }

    // CRC-16/XMODEM: polynomial 0x1021, initial value 0, no reflection — the CRC Redis Cluster uses.
    private static ushort[] BuildTable()
    {
        var table = new ushort[256];
        for (var i = 0; i < 256; i++)
        {
            var crc = (ushort)(i << 8);
            for (var bit = 0; bit < 8; bit++) crc = (ushort)((crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1);
            table[i] = crc;
        }

        return table;
    }
}
