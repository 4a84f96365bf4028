using System.IO.Hashing;
using System.Text;

namespace AegisKV.Cluster.Placement;

/// <summary>
/// Rendezvous (highest-random-weight) hashing: every node gets a weight for every shard, and a shard's
/// owner is the node with the highest weight among those present. The ranking of two nodes for a shard never
/// depends on which other nodes exist, so a node that joins takes over only shards it now ranks first for, and
/// a node that leaves gives up only its own shards; the order in which nodes joined plays no part.
/// </summary>
public static class Rendezvous
{
    /// <summary>
    /// The weight of <paramref name="nodeId"/> for <paramref name="shardId"/>: XxHash64 of the two, joined by a
    /// zero byte. Pinned by tests: a change would move shards between nodes when a cluster is upgraded.
    /// </summary>
    public static ulong Weight(string shardId, string nodeId)
    {
        var length = Encoding.UTF8.GetByteCount(shardId) + 1 + Encoding.UTF8.GetByteCount(nodeId);
        Span<byte> buffer = length <= 256 ? stackalloc byte[length] : new byte[length];
        var written = Encoding.UTF8.GetBytes(shardId, buffer);
        buffer[written++] = 0;
        Encoding.UTF8.GetBytes(nodeId, buffer[written..]);
        return XxHash64.HashToUInt64(buffer);
    }

    /// <summary>
    /// Orders two nodes for a shard: negative when <paramref name="a"/> ranks higher. Equal weights (two ids that
    /// collide) fall back to the ids' ordinal order, so the ranking is total.
    /// </summary>
    public static int Compare(string shardId, string a, string b)
    {
        var byWeight = Weight(shardId, b).CompareTo(Weight(shardId, a));
        return byWeight != 0 ? byWeight : string.CompareOrdinal(a, b);
    }

    /// <summary>The nodes ranked for <paramref name="shardId"/>, highest first.</summary>
    public static IReadOnlyList<string> Rank(string shardId, IEnumerable<string> nodeIds)
    {
        var ranked = new List<string>(nodeIds);
        ranked.Sort((a, b) => Compare(shardId, a, b));
        return ranked;
    }

    /// <summary>The candidate whose id ranks highest for <paramref name="shardId"/>; default when there is none.</summary>
    public static T? Top<T>(string shardId, IEnumerable<T> candidates, Func<T, string> idOf)
    {
        T? best = default;
        string? bestId = null;
        foreach (var candidate in candidates)
        {
            var id = idOf(candidate);
            if (bestId is null || Compare(shardId, id, bestId) < 0)
                (best, bestId) = (candidate, id);
        }

        return best;
    }
}
