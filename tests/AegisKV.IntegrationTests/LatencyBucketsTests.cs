using AegisKV.Server.Metrics;

namespace AegisKV.IntegrationTests;

public sealed class LatencyBucketsTests
{
    [Fact]
    public void The_p99_should_be_the_bound_of_the_bucket_holding_it_and_count_only_what_came_after_the_first_snapshot()
    {
        var buckets = new LatencyBuckets();
        for (var i = 0; i < 1000; i++) buckets.Record(5_000); // before: not in the window
        var before = new long[LatencyBuckets.Count];
        buckets.Snapshot(before);
        for (var i = 0; i < 990; i++) buckets.Record(100);    // [64, 128) µs
        for (var i = 0; i < 10; i++) buckets.Record(300_000); // [262144, 524288) µs
        var after = new long[LatencyBuckets.Count];
        buckets.Snapshot(after);

        Assert.Equal(1000, LatencyBuckets.Counted(before, after));
        Assert.Equal(128, LatencyBuckets.Quantile(before, after, 0.99));
        Assert.Equal(524_288, LatencyBuckets.Quantile(before, after, 0.995));
        Assert.Null(LatencyBuckets.Quantile(after, after, 0.99));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 2)]
    [InlineData(4, 3)]
    [InlineData(long.MaxValue, LatencyBuckets.Count - 1)]
    public void A_duration_should_fall_in_its_power_of_two_bucket(long micros, int bucket) => Assert.Equal(bucket, LatencyBuckets.BucketOf(micros));
}
