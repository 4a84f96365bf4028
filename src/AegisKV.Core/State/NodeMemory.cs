namespace AegisKV.Core.State;

/// <summary>
/// Memory of keys and values held by all shards of this node, against <c>--max-memory</c>.
/// Shared by the node's shard actors, so updates are atomic.
/// </summary>
public sealed class NodeMemory
{
    /// <summary>Bookkeeping bytes charged per key on top of key and value: dictionary slot, array headers, expiry.</summary>
    public const int EntryOverhead = 96;

    private long _used;
    private long _keys;
    private long _volatileKeys;
    private long _expiredKeys;

    /// <summary>Creates the account; <paramref name="maxBytes"/> of 0 means unlimited.</summary>
    public NodeMemory(long maxBytes) => MaxBytes = maxBytes;

    /// <summary>The limit in bytes; 0 is unlimited.</summary>
    public long MaxBytes { get; }

    /// <summary>Bytes in use.</summary>
    public long UsedBytes => Volatile.Read(ref _used);

    /// <summary>Keys held.</summary>
    public long Keys => Volatile.Read(ref _keys);

    /// <summary>Keys with an expiry.</summary>
    public long VolatileKeys => Volatile.Read(ref _volatileKeys);

    /// <summary>Keys removed because their expiry passed, since start.</summary>
    public long ExpiredKeys => Volatile.Read(ref _expiredKeys);

    /// <summary>Counts keys removed by expiry.</summary>
    public void AddExpired(long keys) => Interlocked.Add(ref _expiredKeys, keys);

    /// <summary>True when adding <paramref name="bytes"/> would pass the limit.</summary>
    public bool WouldExceed(long bytes) => MaxBytes > 0 && UsedBytes + bytes > MaxBytes;

    /// <summary>The charge for one key and value.</summary>
    public static long Cost(byte[] key, object value) => key.Length + ValueBytes(value) + EntryOverhead;

    /// <summary>Bytes charged for a value: a string's length, or a hash's fields (<see cref="HashValue.Bytes"/>).</summary>
    public static long ValueBytes(object value) => value switch
    {
        byte[] text => text.Length,
        HashValue hash => hash.Bytes,
        _ => throw new ArgumentException($"not a stored value: {value.GetType().Name}", nameof(value)),
    };

    /// <summary>Records a change in bytes, keys and keys with expiry.</summary>
    public void Add(long bytes, long keys, long volatileKeys)
    {
        if (bytes != 0) Interlocked.Add(ref _used, bytes);
        if (keys != 0) Interlocked.Add(ref _keys, keys);
        if (volatileKeys != 0) Interlocked.Add(ref _volatileKeys, volatileKeys);
    }
}
