using AegisKV.Core.Commands;
using AegisKV.Core.State;
using static AegisKV.Core.Tests.Text;

namespace AegisKV.Core.Tests;

/// <summary>Eviction past the memory limit: journaled deletes, each policy's choice, and -OOM without one.</summary>
public sealed class ShardStateEvictionTests
{
    private const long Now = 1_700_000_000_000;
    private const int Limit = 64 * 1024;

    private static (ShardState State, NodeMemory Memory) Shard(EvictionPolicy policy)
    {
        var memory = new NodeMemory(Limit, policy);
        return (new ShardState(memory), memory);
    }

    private static string Set(ShardState state, string key, int size, List<IShardEvent> events, long expireAtMs = 0)
    {
        byte[][] arguments = expireAtMs == 0
            ? [B(key), new byte[size]]
            : [B(key), new byte[size], B("PXAT"), B(expireAtMs.ToString())];
        return Show(state.Execute(CommandId.Set, arguments, Now, events));
    }

    [Fact]
    public void Without_a_policy_a_write_past_the_limit_should_answer_OOM()
    {
        var (state, memory) = Shard(EvictionPolicy.NoEviction);
        var events = new List<IShardEvent>();
        string reply = "";
        for (var i = 0; i < 200 && !reply.StartsWith("(error)", StringComparison.Ordinal); i++) reply = Set(state, "k" + i, 1000, events);
        Assert.Equal("(error) OOM command not allowed when used memory > 'maxmemory'.", reply);
        Assert.DoesNotContain(events, e => e is KeysDeleted);
        Assert.Equal(0, memory.EvictedKeys);
    }

    [Theory]
    [InlineData(EvictionPolicy.AllKeysLru)]
    [InlineData(EvictionPolicy.AllKeysLfu)]
    [InlineData(EvictionPolicy.AllKeysRandom)]
    public void An_allkeys_policy_should_evict_with_journaled_deletes_and_stay_under_the_limit(EvictionPolicy policy)
    {
        var (state, memory) = Shard(policy);
        var events = new List<IShardEvent>();
        for (var i = 0; i < 1000; i++) Assert.Equal("OK", Set(state, "k" + i, 1000, events));
        Assert.True(memory.UsedBytes <= Limit, $"{memory.UsedBytes} bytes used");
        Assert.True(memory.EvictedKeys > 900, $"{memory.EvictedKeys} evicted");
        Assert.Equal(memory.EvictedKeys, events.OfType<KeysDeleted>().Sum(e => e.Keys.Length));

        // Replaying the journal gives the same keys.
        var replayed = new ShardState(new NodeMemory(0));
        foreach (var e in events) replayed.Apply(e);
        Assert.Equal(state.Count, replayed.Count);
    }

    // Shards share the node's memory: one whose keys are all gone may go a tenth over the limit,
    // then the others' background sweeps evict their share.
    [Fact]
    public void A_shard_with_nothing_to_evict_should_write_within_a_tenth_over_while_the_others_evict()
    {
        var memory = new NodeMemory(Limit, EvictionPolicy.AllKeysLru);
        var full = new ShardState(memory);
        var empty = new ShardState(memory);
        var events = new List<IShardEvent>();
        for (var i = 0; i < 100; i++) Set(full, "k" + i, 1000, events);
        // More than a tenth over, with nothing of its own to evict: refused.
        Assert.Equal("(error) OOM command not allowed when used memory > 'maxmemory'.", Set(empty, "big", Limit / 8, events));
        Assert.Equal("OK", Set(empty, "e0", 1000, events));
        Assert.True(memory.UsedBytes > Limit && memory.UsedBytes <= Limit + Limit / 10);

        Assert.True(full.EvictWhileOver(Now, 1000, events) > 0);
        Assert.True(memory.UsedBytes <= Limit);
        Assert.Equal("OK", Set(empty, "after", 1000, events));
    }

    // After the limit is lowered, one write evicts a bounded number of keys; the background sweep the rest.
    [Fact]
    public void A_write_should_evict_a_bounded_number_of_keys()
    {
        var (state, memory) = Shard(EvictionPolicy.AllKeysRandom);
        memory.MaxBytes = 0;
        var events = new List<IShardEvent>();
        for (var i = 0; i < 200; i++) Set(state, "k" + i, 1000, events);
        memory.MaxBytes = 100;
        events.Clear();
        Assert.Equal("(error) OOM command not allowed when used memory > 'maxmemory'.", Set(state, "one-more", 10, events));
        Assert.Equal(64, events.OfType<KeysDeleted>().Count());
        Assert.Equal(136, state.Count);
        Assert.Equal(136, state.EvictWhileOver(Now, 1000, events));
        Assert.Equal(0, state.Count);
    }

    [Fact]
    public void A_volatile_policy_should_evict_only_keys_with_an_expiry()
    {
        var (state, memory) = Shard(EvictionPolicy.VolatileTtl);
        var events = new List<IShardEvent>();
        for (var i = 0; i < 20; i++) Set(state, "keep" + i, 1000, events);
        for (var i = 0; i < 100; i++) Set(state, "temp" + i, 1000, events, Now + 1_000_000 + i);
        var deleted = events.OfType<KeysDeleted>().SelectMany(e => e.Keys).Select(k => System.Text.Encoding.UTF8.GetString(k)).ToList();
        Assert.NotEmpty(deleted);
        Assert.All(deleted, k => Assert.StartsWith("temp", k));
        Assert.Equal("(integer) 20", Show(state.Execute(CommandId.Exists, [.. Enumerable.Range(0, 20).Select(i => B("keep" + i))], Now, [])));
        Assert.True(memory.EvictedKeys > 0);
    }
}
