using System.Numerics;

namespace AegisKV.Server.Metrics;

/// <summary>
/// Durations counted in power-of-two microsecond buckets, cheap enough for every request (one interlocked add), so
/// that the node can tell its own recent p99 (the dashboard, <c>aegis top</c>) without reading Prometheus back.
/// A quantile is read from the difference of two snapshots, so it covers the time between them only.
/// </summary>
public sealed class LatencyBuckets
{
    /// <summary>Buckets: [0, 1) µs, [1, 2), [2, 4), … up to about 36 minutes and beyond in the last.</summary>
    public const int Count = 32;

    private readonly long[] _counts = new long[Count];

    /// <summary>Counts one duration of <paramref name="micros"/> microseconds.</summary>
    public void Record(long micros) => Interlocked.Increment(ref _counts[BucketOf(micros)]);

    /// <summary>Counts <paramref name="count"/> durations of <paramref name="micros"/> microseconds each.</summary>
    public void Record(long micros, long count) => Interlocked.Add(ref _counts[BucketOf(micros)], count);

    /// <summary>Copies the counts so far into <paramref name="into"/> (<see cref="Count"/> long).</summary>
    public void Snapshot(Span<long> into)
    {
        for (var i = 0; i < Count; i++) into[i] = Volatile.Read(ref _counts[i]);
    }

    /// <summary>
    /// The upper bound in microseconds of the bucket that holds the <paramref name="quantile"/> of the durations counted
    /// between <paramref name="before"/> and <paramref name="after"/>; null when none were.
    /// </summary>
    public static long? Quantile(ReadOnlySpan<long> before, ReadOnlySpan<long> after, double quantile)
    {
        long total = 0;
        for (var i = 0; i < Count; i++) total += after[i] - before[i];
        if (total <= 0) return null;
        var rank = (long)Math.Ceiling(total * quantile);
        long seen = 0;
        for (var i = 0; i < Count; i++)
        {
            seen += after[i] - before[i];
            if (seen >= rank) return UpperBound(i);
        }

        return UpperBound(Count - 1);
    }

    /// <summary>How many durations were counted between <paramref name="before"/> and <paramref name="after"/>.</summary>
    public static long Counted(ReadOnlySpan<long> before, ReadOnlySpan<long> after)
    {
        long total = 0;
        for (var i = 0; i < Count; i++) total += after[i] - before[i];
        return total;
    }

    /// <summary>The bucket of <paramref name="micros"/>: 0 below 1 µs, then 1 + floor(log2).</summary>
    public static int BucketOf(long micros) => micros <= 0 ? 0 : Math.Min(Count - 1, 1 + BitOperations.Log2((ulong)micros));

    /// <summary>The exclusive upper bound of bucket <paramref name="bucket"/> in microseconds.</summary>
    public static long UpperBound(int bucket) => 1L << bucket;
}
