using AegisKV.Core.Commands;
using AegisKV.Core.State;
using static AegisKV.Core.Tests.Text;

namespace AegisKV.Core.Tests;

/// <summary>MSETNX, RENAME, RENAMENX and RANDOMKEY on one shard; every expected reply is what redis-server 7.0.15 answers.</summary>
public sealed class ShardStateKeyspaceTests
{
    private const long Now = 1_700_000_000_000;

    private readonly ShardState _state = new(new NodeMemory(0));

    private string Run(string line) => Text.Run(_state, line, Now);

    // Each case: commands run in order, with the reply expected of the last.
    [Theory]
    [InlineData("(integer) 1", "MSETNX a 1 b 2")]
    // One existing key and nothing is set.
    [InlineData("(integer) 0", "MSETNX a 1 b 2", "MSETNX a 3 c 4")]
    [InlineData("(integer) 0", "MSETNX a 1 b 2", "MSETNX a 3 c 4", "EXISTS c")]
    [InlineData("(error) ERR no such key", "RENAME nokey x")]
    [InlineData("OK", "SET k v", "RENAME k k")]
    [InlineData("OK", "SET k v", "RENAME k k2")]
    [InlineData("(integer) 0", "SET k v", "RENAME k k2", "EXISTS k")]
    [InlineData("\"v\"", "SET k v", "SET k2 old", "RENAME k k2", "GET k2")]
    [InlineData("(integer) 0", "SET k v", "SET y 1", "RENAMENX k y")]
    [InlineData("(integer) 0", "SET k v", "RENAMENX k k")]
    [InlineData("(integer) 1", "SET k v", "RENAMENX k z")]
    [InlineData("\"v\"", "SET k v", "RENAMENX k z", "GET z")]
    [InlineData("(error) ERR no such key", "RENAMENX nokey z")]
    public void Same_shard_commands_should_answer_as_Redis(string expected, params string[] lines)
    {
        var reply = "";
        foreach (var line in lines) reply = Run(line);
        Assert.Equal(expected, reply);
    }

    [Fact]
    public void RENAME_should_carry_the_expiry()
    {
        Run($"SET k v PXAT {Now + 50_000}");
        Run("RENAME k k2");
        Assert.Equal("(integer) 50000", Run("PTTL k2"));
    }

    [Fact]
    public void RANDOMKEY_should_find_the_keys_of_a_loaded_snapshot_and_those_written_after_it()
    {
        for (var i = 0; i < 50; i++) Run($"SET k{i} v");
        var loaded = new ShardState(new NodeMemory(0));
        loaded.Load(_state.ToSnapshot());
        Assert.StartsWith("\"k", Text.Run(loaded, "RANDOMKEY", Now));

        // Sampled once already: keys written since join what it samples from, deleted ones leave it.
        Text.Run(loaded, "SET fresh v", Now);
        for (var i = 0; i < 50; i++) Text.Run(loaded, $"DEL k{i}", Now);
        Assert.Equal("\"fresh\"", Text.Run(loaded, "RANDOMKEY", Now));
        Text.Run(loaded, "DEL fresh", Now);
        Assert.Equal("(nil)", Text.Run(loaded, "RANDOMKEY", Now));
    }

    [Fact]
    public void A_stored_value_should_keep_its_version_and_access_figures_apart()
    {
        var value = new StoredValue(new byte[] { 1 }, 0, version: (1L << 32) + 7, accessedAt: 123, frequency: 200);
        Assert.Equal((7L, 123, (byte)200), (value.Version, value.AccessedAt, value.Frequency));

        var touched = value with { AccessedAt = (1 << 24) + 456 };
        Assert.Equal((7L, 456, (byte)200), (touched.Version, touched.AccessedAt, touched.Frequency));
        var counted = touched with { Frequency = 255, Version = 9 };
        Assert.Equal((9L, 456, (byte)255), (counted.Version, counted.AccessedAt, counted.Frequency));
    }
}
