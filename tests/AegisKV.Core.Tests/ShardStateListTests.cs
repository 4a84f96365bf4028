using AegisKV.Core.Commands;
using AegisKV.Core;
using AegisKV.Core.Serialization;
using AegisKV.Core.State;
using static AegisKV.Core.Tests.Text;

namespace AegisKV.Core.Tests;

/// <summary>Lists: replies as Redis 7's, replay, snapshots taken while writes were in flight, memory and undo.</summary>
public sealed class ShardStateListTests
{
    private const long Now = 1_700_000_000_000;

    private readonly NodeMemory _memory = new(0);
    private readonly ShardState _state;
    private readonly List<IShardEvent> _log = [];

    public ShardStateListTests() => _state = new ShardState(_memory);

    private string Run(string line, long now = Now)
    {
        var args = Args(line);
        var spec = CommandTable.Find(args[0]) ?? throw new ArgumentException(line);
        var events = new List<IShardEvent>();
        var reply = _state.Execute(spec.Id, args[1..], now, events);
        _log.AddRange(events);
        return ReferenceEquals(reply, ShardState.Blocked) ? "(blocked)" : Show(reply);
    }

    [Theory]
    [InlineData("(integer) 3", "RPUSH l a b c")]
    [InlineData("[\"c\", \"b\", \"a\", \"x\"]", "RPUSH l x", "LPUSH l a b c", "LRANGE l 0 -1")]
    [InlineData("(integer) 0", "LPUSHX l a")]
    [InlineData("(integer) 0", "RPUSHX l a", "EXISTS l")]
    [InlineData("(integer) 2", "RPUSH l a", "RPUSHX l b")]
    [InlineData("\"a\"", "RPUSH l a b", "LPOP l")]
    [InlineData("\"b\"", "RPUSH l a b", "RPOP l")]
    [InlineData("[\"a\", \"b\"]", "RPUSH l a b c", "LPOP l 2")]
    [InlineData("[\"c\", \"b\", \"a\"]", "RPUSH l a b c", "RPOP l 10")]
    [InlineData("(integer) 0", "RPUSH l a b", "RPOP l 10", "EXISTS l")]
    [InlineData("[]", "RPUSH l a", "LPOP l 0")]
    [InlineData("(nil)", "LPOP missing")]
    [InlineData("(nil array)", "LPOP missing 2")]
    [InlineData("(error) ERR value is out of range, must be positive", "LPOP l -1")]
    [InlineData("(integer) 3", "RPUSH l a b c", "LLEN l")]
    [InlineData("(integer) 0", "LLEN missing")]
    [InlineData("[\"b\", \"c\"]", "RPUSH l a b c", "LRANGE l -2 100")]
    [InlineData("[]", "RPUSH l a b c", "LRANGE l 2 1")]
    [InlineData("[\"a\"]", "RPUSH l a b c", "LRANGE l -100 0")]
    [InlineData("(error) ERR value is not an integer or out of range", "RPUSH l a", "LRANGE l x 1")]
    [InlineData("\"c\"", "RPUSH l a b c", "LINDEX l -1")]
    [InlineData("(nil)", "RPUSH l a b c", "LINDEX l 3")]
    [InlineData("[\"a\", \"X\", \"c\"]", "RPUSH l a b c", "LSET l 1 X", "LRANGE l 0 -1")]
    [InlineData("(error) ERR index out of range", "RPUSH l a", "LSET l 5 X")]
    [InlineData("(error) ERR no such key", "LSET missing 0 X")]
    [InlineData("(integer) 2", "RPUSH l a b a c a", "LREM l 2 a")]
    [InlineData("[\"a\", \"b\", \"c\"]", "RPUSH l a b a c a", "LREM l -2 a", "LRANGE l 0 -1")]
    [InlineData("[\"b\", \"c\"]", "RPUSH l a b a c a", "LREM l 0 a", "LRANGE l 0 -1")]
    [InlineData("[\"b\", \"c\"]", "RPUSH l a b c d", "LTRIM l 1 -2", "LRANGE l 0 -1")]
    [InlineData("(integer) 0", "RPUSH l a b c d", "LTRIM l 5 10", "EXISTS l")]
    [InlineData("(integer) 4", "RPUSH l a b c", "LINSERT l AFTER b X")]
    [InlineData("[\"a\", \"X\", \"b\", \"c\"]", "RPUSH l a b c", "LINSERT l BEFORE b X", "LRANGE l 0 -1")]
    [InlineData("(integer) -1", "RPUSH l a b c", "LINSERT l BEFORE z X")]
    [InlineData("(integer) 0", "LINSERT missing BEFORE z X")]
    [InlineData("(error) ERR syntax error", "RPUSH l a", "LINSERT l MIDDLE a X")]
    [InlineData("(integer) 2", "RPUSH l a b c 1 2 3 c c", "LPOS l c")]
    [InlineData("(integer) 7", "RPUSH l a b c 1 2 3 c c", "LPOS l c RANK -1")]
    [InlineData("[(integer) 2, (integer) 6]", "RPUSH l a b c 1 2 3 c c", "LPOS l c COUNT 2")]
    [InlineData("[(integer) 6, (integer) 7]", "RPUSH l a b c 1 2 3 c c", "LPOS l c RANK 2 COUNT 0")]
    [InlineData("(nil)", "RPUSH l a b c 1 2 3 c c", "LPOS l c MAXLEN 2")]
    [InlineData("(error) ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list", "RPUSH l a", "LPOS l a RANK 0")]
    [InlineData("[]", "LPOS missing a COUNT 1")]
    [InlineData("\"c\"", "RPUSH s a b c", "RPOPLPUSH s s")]
    [InlineData("[\"c\", \"a\", \"b\"]", "RPUSH s a b c", "RPOPLPUSH s s", "LRANGE s 0 -1")]
    [InlineData("[\"b\", \"c\", \"a\"]", "RPUSH s a b c", "LMOVE s s LEFT RIGHT", "LRANGE s 0 -1")]
    [InlineData("[\"a\"]", "RPUSH {x}s a", "LMOVE {x}s {x}d LEFT LEFT", "LRANGE {x}d 0 -1")]
    [InlineData("(integer) 0", "RPUSH {x}s a", "LMOVE {x}s {x}d LEFT LEFT", "EXISTS {x}s")]
    [InlineData("(error) WRONGTYPE Operation against a key holding the wrong kind of value", "RPUSH {x}s a", "SET {x}d v", "LMOVE {x}s {x}d LEFT LEFT")]
    [InlineData("[\"a\"]", "RPUSH {x}s a", "SET {x}d v", "LMOVE {x}s {x}d LEFT LEFT", "LRANGE {x}s 0 -1")]
    [InlineData("(nil)", "LMOVE {x}s {x}d LEFT LEFT")]
    [InlineData("[\"{x}b\", [\"3\", \"2\"]]", "RPUSH {x}b 1 2 3", "LMPOP 2 {x}a {x}b RIGHT COUNT 2")]
    [InlineData("(nil array)", "LMPOP 1 {x}a LEFT")]
    [InlineData("(error) ERR count should be greater than 0", "LMPOP 1 {x}a LEFT COUNT 0")]
    [InlineData("(error) ERR numkeys should be greater than 0", "LMPOP 0 {x}a LEFT")]
    [InlineData("[\"{x}b\", \"1\"]", "RPUSH {x}b 1 2", "BLPOP {x}a {x}b 0")]
    [InlineData("(blocked)", "BLPOP {x}a {x}b 0")]
    [InlineData("(blocked)", "BRPOPLPUSH {x}a {x}b 1.5")]
    [InlineData("(error) ERR timeout is negative", "BLPOP {x}a -1")]
    [InlineData("(error) ERR timeout is not a float or out of range", "BLPOP {x}a abc")]
    [InlineData("(error) WRONGTYPE Operation against a key holding the wrong kind of value", "SET {x}a v", "BLPOP {x}a 0")]
    [InlineData("(error) WRONGTYPE Operation against a key holding the wrong kind of value", "SET s v", "LPUSH s a")]
    [InlineData("(error) WRONGTYPE Operation against a key holding the wrong kind of value", "RPUSH l a", "GET l")]
    [InlineData("(error) WRONGTYPE Operation against a key holding the wrong kind of value", "RPUSH l a", "HGET l f")]
    [InlineData("list", "RPUSH l a", "TYPE l")]
    [InlineData("\"listpack\"", "RPUSH l a", "OBJECT ENCODING l")]
    public void List_commands_should_answer_as_redis(string expected, params string[] lines)
    {
        string reply = "";
        foreach (var line in lines) reply = Run(line);
        Assert.Equal(expected, reply);
    }

    [Fact]
    public void A_replay_should_rebuild_every_list()
    {
        foreach (var line in Script) Run(line);
        var replayed = new ShardState(new NodeMemory(0));
        foreach (var e in _log) replayed.Apply(e);
        foreach (var key in new[] { "a", "b", "c" })
            Assert.Equal(Text.Run(_state, $"LRANGE {key} 0 -1", Now), Text.Run(replayed, $"LRANGE {key} 0 -1", Now));
    }

    // A shard snapshots while writes are in flight: the snapshot holds them, and recovery replays them again on top.
    [Fact]
    public void Replaying_events_a_snapshot_already_holds_should_change_nothing()
    {
        foreach (var line in Script) Run(line);
        var expected = Dump(_state);
        var restored = new ShardState(new NodeMemory(0));
        restored.Load(RoundTrip(_state.ToSnapshot()));
        foreach (var e in _log) restored.Apply(e);
        Assert.Equal(expected, Dump(restored));
    }

    [Fact]
    public void Memory_should_be_charged_for_elements_and_given_back()
    {
        Run("RPUSH l " + string.Join(' ', Enumerable.Range(0, 100).Select(i => "element" + i)));
        Assert.True(_memory.UsedBytes > 100 * ListValue.ElementOverhead);
        Run("LTRIM l 0 9");
        var afterTrim = _memory.UsedBytes;
        Run("LPOP l 10");
        Assert.True(afterTrim > 0);
        Assert.Equal(0, _memory.UsedBytes);
    }

    [Fact]
    public void A_write_taken_back_should_restore_the_list()
    {
        Run("RPUSH l a b c");
        _state.TakeUndo();
        Run("LPOP l 2");
        _state.Undo(_state.TakeUndo());
        Assert.Equal("[\"a\", \"b\", \"c\"]", Run("LRANGE l 0 -1"));
    }

    [Fact]
    public void Dump_and_restore_should_keep_a_list()
    {
        Run("RPUSH l a b c");
        var payload = ShardState.DumpPayload(ListValue.From([B("a"), B("b"), B("c")], 1));
        var events = new List<IShardEvent>();
        Assert.Equal("OK", Show(_state.Execute(CommandId.Restore, [B("copy"), B("0"), payload], Now, events)));
        Assert.Equal("[\"a\", \"b\", \"c\"]", Run("LRANGE copy 0 -1"));
    }

    private static readonly string[] Script =
    [
        "RPUSH a 1 2 3 4 5 6", "LPUSH a x y", "LPOP a", "RPOP a 2", "LSET a 2 S", "LINSERT a AFTER S I", "LREM a 0 1",
        "LTRIM a 1 -1", "RPUSH b q", "DEL b", "RPUSH b r s", "RPUSH c only", "RPOP c", "LPUSH c again",
    ];

    private static string Dump(ShardState state) =>
        string.Join(" | ", new[] { "a", "b", "c" }.Select(k => k + "=" + Text.Run(state, $"LRANGE {k} 0 -1", Now)));

    private static ShardSnapshot RoundTrip(ShardSnapshot snapshot)
    {
        using var system = Akka.Actor.ActorSystem.Create("lists", ShardSettings.DefaultConfig());
        var serializer = new ShardMessageSerializer((Akka.Actor.ExtendedActorSystem)system);
        return (ShardSnapshot)serializer.FromBinary(serializer.ToBinary(snapshot), "S2");
    }
}
