using AegisKV.Core.Sharding;

namespace AegisKV.Core.Tests;

/// <summary>Shards that cannot recover are answered for at once, so waiting clients cannot drive a recovery loop.</summary>
public sealed class LocalShardsTests
{
    [Fact]
    public void A_failed_recovery_should_hold_requests_off_until_the_retry_and_serving_should_clear_it()
    {
        var shards = new LocalShards();
        Assert.False(shards.IsUnavailable(3, out _, out _));

        shards.RecoveryFailed(3, "disk read error");
        Assert.True(shards.IsUnavailable(3, out var reason, out var retryLater));
        Assert.Equal(("disk read error", true), (reason, retryLater));
        Assert.False(shards.IsUnavailable(4, out _, out _));

        shards.Serving(3, Akka.Actor.ActorRefs.Nobody);
        Assert.False(shards.IsUnavailable(3, out _, out _));
    }

    [Fact]
    public void A_shard_that_refuses_to_serve_should_stay_refused()
    {
        var shards = new LocalShards();
        shards.Refusing(5, "WAL corruption");
        shards.Serving(5, Akka.Actor.ActorRefs.Nobody);

        Assert.True(shards.IsUnavailable(5, out var reason, out var retryLater));
        Assert.Equal(("WAL corruption", false), (reason, retryLater));
    }
}
