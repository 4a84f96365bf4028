using AegisKV.Core.Sharding;
using static AegisKV.Core.Tests.Text;

namespace AegisKV.Core.Tests;

public sealed class KeySlotsTests
{
    // Slots as Redis Cluster computes them (CLUSTER KEYSLOT); a key's slot decides which WAL holds it.
    [Theory]
    [InlineData("foo", 12182)]
    [InlineData("bar", 5061)]
    [InlineData("somekey", 11058)]
    [InlineData("foo{hash_tag}", 2515)]
    [InlineData("{user1000}.following", 3443)]
    [InlineData("{}foo", 9500)]
    [InlineData("foo{}{bar}", 8363)]
    [InlineData("foo{{bar}}zap", 4015)]
    [InlineData("foo{bar}{zap}", 5061)]
    [InlineData("", 0)]
    public void Slot_of_a_key_should_be_the_one_Redis_Cluster_computes(string key, int slot) =>
        Assert.Equal(slot, KeySlots.SlotOf(B(key)));

    [Fact]
    public void Keys_with_the_same_hash_tag_should_share_a_slot()
    {
        Assert.Equal(KeySlots.SlotOf(B("{user:1}:profile")), KeySlots.SlotOf(B("{user:1}:orders")));
        Assert.Equal(KeySlots.SlotOf(B("user:1")), KeySlots.SlotOf(B("{user:1}:orders")));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(16)]
    [InlineData(64)]
    [InlineData(1000)]
    [InlineData(16384)]
    public void Shards_should_own_contiguous_slot_ranges_that_cover_every_slot_once(int shards)
    {
        var next = 0;
        for (var shard = 0; shard < shards; shard++)
        {
            var (first, last) = KeySlots.SlotRange(shard, shards);
            Assert.Equal(next, first);
            Assert.True(last >= first);
            for (var slot = first; slot <= last; slot++) Assert.Equal(shard, KeySlots.ShardOfSlot(slot, shards));
            next = last + 1;
        }

        Assert.Equal(KeySlots.Count, next);
    }

    [Fact]
    public void Keys_should_spread_over_all_shards()
    {
        var counts = new int[64];
        for (var i = 0; i < 64_000; i++) counts[KeySlots.ShardOf(B("key:" + i), 64)]++;
        Assert.All(counts, c => Assert.InRange(c, 800, 1200));
    }
}
