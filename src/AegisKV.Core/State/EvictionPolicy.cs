namespace AegisKV.Core.State;

/// <summary>Which keys go when the node is over <c>--max-memory</c>, with Redis's <c>maxmemory-policy</c> names.</summary>
public enum EvictionPolicy
{
    /// <summary>None: writes that need memory answer -OOM.</summary>
    NoEviction,
    /// <summary>The least recently used of a sample of all keys.</summary>
    AllKeysLru,
    /// <summary>The least frequently used of a sample of all keys.</summary>
    AllKeysLfu,
    /// <summary>A random key.</summary>
    AllKeysRandom,
    /// <summary>The least recently used of a sample of keys with an expiry.</summary>
    VolatileLru,
    /// <summary>The least frequently used of a sample of keys with an expiry.</summary>
    VolatileLfu,
    /// <summary>A random key with an expiry.</summary>
    VolatileRandom,
    /// <summary>Of a sample of keys with an expiry, the one expiring soonest.</summary>
    VolatileTtl,
}

/// <summary>Redis names of <see cref="EvictionPolicy"/> values.</summary>
public static class EvictionPolicies
{
    private static readonly string[] Names =
        ["noeviction", "allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"];

    /// <summary>Every name, in enum order.</summary>
    public static IReadOnlyList<string> All => Names;

    /// <summary>The Redis name of a policy.</summary>
    public static string Name(this EvictionPolicy policy) => Names[(int)policy];

    /// <summary>Parses a Redis policy name in any case.</summary>
    public static bool TryParse(string name, out EvictionPolicy policy)
    {
        var index = Array.FindIndex(Names, n => n.Equals(name, StringComparison.OrdinalIgnoreCase));
        policy = index < 0 ? EvictionPolicy.NoEviction : (EvictionPolicy)index;
        return index >= 0;
    }

    /// <summary>True for the volatile-* policies, which only evict keys with an expiry.</summary>
    public static bool OnlyVolatile(this EvictionPolicy policy) => policy >= EvictionPolicy.VolatileLru;
}
