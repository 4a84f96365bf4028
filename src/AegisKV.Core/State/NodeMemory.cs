namespace AegisKV.Core.State;

/// <summary>
/// Memory of keys and values held by all shards of this node, against <c>--max-memory</c>, with the
/// eviction policy that applies past it and the node-wide key statistics INFO shows. Shared by the
/// node's shard actors, so updates are atomic; the limit and the policy change at run time (CONFIG SET).
/// </summary>
public sealed class NodeMemory
{
    /// <summary>Bookkeeping bytes charged per key on top of key and value: dictionary slot, array headers, expiry.</summary>
    public const int EntryOverhead = 96;

    private long _used;
    private long _keys;
    private long _volatileKeys;
    private long _expiredKeys;
    private long _evictedKeys;
    private long _hits;
    private long _misses;
    private long _maxBytes;
    private int _policy;
    private int _samples = 5;
    private int _snapshotting;

    /// <summary>Creates the account; <paramref name="maxBytes"/> of 0 means unlimited.</summary>
    public NodeMemory(long maxBytes, EvictionPolicy policy = EvictionPolicy.NoEviction)
    {
        _maxBytes = maxBytes;
        _policy = (int)policy;
    }

    /// <summary>The limit in bytes; 0 is unlimited.</summary>
    public long MaxBytes
    {
        get => Volatile.Read(ref _maxBytes);
        set => Volatile.Write(ref _maxBytes, value);
    }

    /// <summary>What goes when the limit is reached.</summary>
    public EvictionPolicy Policy
    {
        get => (EvictionPolicy)Volatile.Read(ref _policy);
        set => Volatile.Write(ref _policy, (int)value);
    }

    /// <summary>Keys sampled to pick one to evict, as Redis's <c>maxmemory-samples</c>.</summary>
    public int Samples
    {
        get => Volatile.Read(ref _samples);
        set => Volatile.Write(ref _samples, Math.Clamp(value, 1, 64));
    }

    /// <summary>Most fields of a hash OBJECT ENCODING calls "listpack" (Redis's hash-max-listpack-entries).</summary>
    public int HashListpackEntries { get; set; } = 128;

    /// <summary>Longest field or value of a hash OBJECT ENCODING calls "listpack" (hash-max-listpack-value).</summary>
    public int HashListpackValue { get; set; } = 64;

    /// <summary>
    /// Takes the node's snapshot turn: a snapshot holds a serialized copy of a whole shard in memory while it
    /// is written, so shards take turns, one at a time, to keep that transient memory to one shard's size.
    /// </summary>
    public bool TryStartSnapshot() => Interlocked.CompareExchange(ref _snapshotting, 1, 0) == 0;

    /// <summary>Gives the snapshot turn back.</summary>
    public void SnapshotDone() => Volatile.Write(ref _snapshotting, 0);

    /// <summary>True when the limit is set and passed.</summary>
    public bool IsOver => MaxBytes > 0 && UsedBytes > MaxBytes;

    /// <summary>Keys evicted since start.</summary>
    public long EvictedKeys => Volatile.Read(ref _evictedKeys);

    /// <summary>Reads that found their key, since start.</summary>
    public long KeyspaceHits => Volatile.Read(ref _hits);

    /// <summary>Reads that did not find their key, since start.</summary>
    public long KeyspaceMisses => Volatile.Read(ref _misses);

    /// <summary>Counts evicted keys.</summary>
    public void AddEvicted(long keys) => Interlocked.Add(ref _evictedKeys, keys);

    /// <summary>Zeroes the key statistics INFO shows (CONFIG RESETSTAT); the metrics count on.</summary>
    public void ResetStats()
    {
        Interlocked.Exchange(ref _evictedKeys, 0);
        Interlocked.Exchange(ref _expiredKeys, 0);
        Interlocked.Exchange(ref _hits, 0);
        Interlocked.Exchange(ref _misses, 0);
    }

    /// <summary>Counts a read's lookup.</summary>
    public void CountLookup(bool hit)
    {
        if (hit) Interlocked.Increment(ref _hits);
        else Interlocked.Increment(ref _misses);
    }

    /// <summary>Bytes in use.</summary>
    public long UsedBytes => Volatile.Read(ref _used);

    /// <summary>Keys held.</summary>
    public long Keys => Volatile.Read(ref _keys);

    /// <summary>Keys with an expiry.</summary>
    public long VolatileKeys => Volatile.Read(ref _volatileKeys);

    /// <summary>Keys removed because their expiry passed, since start.</summary>
    public long ExpiredKeys => Volatile.Read(ref _expiredKeys);

    private long _blockedClients;

    /// <summary>Clients a shard of this node holds in a blocking command (BLPOP and kin), as INFO's blocked_clients.</summary>
    public long BlockedClients => Volatile.Read(ref _blockedClients);

    /// <summary>Counts a client a shard starts (+1) or stops (-1) holding.</summary>
    public void AddBlocked(int delta) => Interlocked.Add(ref _blockedClients, delta);

    /// <summary>Counts keys removed by expiry.</summary>
    public void AddExpired(long keys) => Interlocked.Add(ref _expiredKeys, keys);

    /// <summary>True when adding <paramref name="bytes"/> would pass the limit.</summary>
    public bool WouldExceed(long bytes) => MaxBytes > 0 && UsedBytes + bytes > MaxBytes;

    /// <summary>Bytes charged for a value: a string's length, a hash's fields or a list's elements.</summary>
    public static long ValueBytes(object value) => value switch
    {
        byte[] text => text.Length,
        HashValue hash => hash.Bytes,
        ListValue list => list.Bytes,
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
