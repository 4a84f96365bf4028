using AegisKV.Core.Commands;
using AegisKV.Core.State;
using static AegisKV.Core.Tests.Text;

namespace AegisKV.Core.Tests;

/// <summary>Writes the journal refused are taken back off the map, newest first, to exactly what was durable.</summary>
public sealed class ShardStateUndoTests
{
    private const long Now = 1_700_000_000_000;

    private readonly NodeMemory _memory = new(0);
    private readonly ShardState _state;

    public ShardStateUndoTests() => _state = new ShardState(_memory);

    // Runs a write and returns what it replaced, as the shard actor keeps it until the write is durable.
    private ShardState.Change[]? Write(string line)
    {
        Text.Run(_state, line, Now);
        return _state.TakeUndo();
    }

    private string Read(string line) => Text.Run(_state, line, Now);

    [Theory]
    // Each case: durable writes, then refused ones (taken back newest first); GET k must read as before them.
    [InlineData(new[] { "SET k v" }, new[] { "SET k w" }, "\"v\"")]
    [InlineData(new string[0], new[] { "SET k w" }, "(nil)")]
    [InlineData(new[] { "SET k 1" }, new[] { "INCR k", "INCR k", "APPEND k x" }, "\"1\"")]
    [InlineData(new[] { "SET k v" }, new[] { "DEL k" }, "\"v\"")]
    [InlineData(new[] { "SET k v", "SET other o" }, new[] { "FLUSHALL", "SET k after" }, "\"v\"")]
    [InlineData(new[] { "SET k v" }, new[] { "MSET k a k2 b" }, "\"v\"")]
    public void Refused_writes_taken_back_newest_first_should_leave_the_durable_value(string[] durable, string[] refused, string expected)
    {
        foreach (var line in durable) Write(line);
        var before = _memory.UsedBytes;
        var keys = _state.Count;

        var undo = refused.Select(Write).ToList();
        for (var i = undo.Count - 1; i >= 0; i--) _state.Undo(undo[i]);

        Assert.Equal(expected, Read("GET k"));
        Assert.Equal(keys, _state.Count);
        Assert.Equal(before, _memory.UsedBytes);
    }

    [Fact]
    public void A_taken_back_expiry_should_be_the_old_one()
    {
        Write("SET k v PX 60000");
        var undo = Write("PERSIST k");
        Assert.Equal("(integer) -1", Read("PTTL k"));
        _state.Undo(undo);
        Assert.Equal("(integer) 60000", Read("PTTL k"));
    }
}
