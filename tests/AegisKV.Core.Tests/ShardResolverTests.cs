using AegisKV.Core.Sharding;
using static AegisKV.Core.Tests.Text;

namespace AegisKV.Core.Tests;

public sealed class ShardResolverTests
{
    // Pinned: a key's shard decides which WAL holds it, so the hash may never change.
    [Theory]
    [InlineData("user:1", 64, 1)]
    [InlineData("testkey", 64, 3)]
    [InlineData("", 64, 2)]
    public void Shard_of_a_key_should_never_change(string key, int shards, int expected) =>
        Assert.Equal(expected, ShardResolver.ShardOf(B(key), shards));

    [Fact]
    public void Keys_with_the_same_hash_tag_should_share_a_shard()
    {
        Assert.Equal(ShardResolver.ShardOf(B("{user:1}:profile"), 64), ShardResolver.ShardOf(B("{user:1}:orders"), 64));
        Assert.Equal(ShardResolver.ShardOf(B("user:1"), 64), ShardResolver.ShardOf(B("{user:1}:orders"), 64));
    }

    [Fact]
    public void An_empty_hash_tag_should_hash_the_whole_key()
    {
        Assert.Equal("a{}b", System.Text.Encoding.UTF8.GetString(ShardResolver.HashTag(B("a{}b"))));
        Assert.Equal("x", System.Text.Encoding.UTF8.GetString(ShardResolver.HashTag(B("a{x}b{y}"))));
    }

    [Fact]
    public void Keys_should_spread_over_all_shards()
    {
        var counts = new int[64];
        for (var i = 0; i < 64_000; i++) counts[ShardResolver.ShardOf(B("key:" + i), 64)]++;
        Assert.All(counts, c => Assert.InRange(c, 800, 1200));
    }
}
