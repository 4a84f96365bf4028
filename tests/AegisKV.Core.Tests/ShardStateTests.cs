using AegisKV.Core.Commands;
using AegisKV.Core.State;
using static AegisKV.Core.Tests.Text;

namespace AegisKV.Core.Tests;

public sealed class ShardStateTests
{
    private const long Now = 1_700_000_000_000;

    private readonly NodeMemory _memory = new(0);
    private readonly ShardState _state;

    public ShardStateTests() => _state = new ShardState(_memory);

    private string Run(string line, long now = Now) => Text.Run(_state, line, now);

    [Fact]
    public void Each_shard_counts_its_own_bytes_and_together_they_are_the_nodes()
    {
        var other = new ShardState(_memory);
        Run("SET a 0123456789");
        Run("HSET h f1 value1 f2 value2");
        Text.Run(other, "SET b x", Now);
        Assert.True(_state.UsedBytes > other.UsedBytes && other.UsedBytes > 0);
        Assert.Equal(_memory.UsedBytes, _state.UsedBytes + other.UsedBytes);

        Run("HDEL h f1");
        Run("SET a 0");
        Assert.Equal(_memory.UsedBytes, _state.UsedBytes + other.UsedBytes);
        Run("DEL a h");
        Assert.Equal(0, _state.UsedBytes);
        Text.Run(other, "FLUSHALL", Now);
        Assert.Equal(0, other.UsedBytes);
        Assert.Equal(0, _memory.UsedBytes);
    }

    // Each case: commands run in order on one shard, with the reply expected of the last.
    [Theory]
    // GET of a missing key is nil, not an empty string.
    [InlineData("(nil)", "GET k")]
    [InlineData("OK", "SET k v")]
    [InlineData("\"v\"", "SET k v", "GET k")]
    // NX refuses an existing key; XX refuses a missing one.
    [InlineData("(nil)", "SET k v", "SET k w NX")]
    [InlineData("(nil)", "SET k w XX")]
    [InlineData("OK", "SET k v", "SET k w XX")]
    // GET returns the old value, also when NX keeps it.
    [InlineData("\"v\"", "SET k v", "SET k w GET")]
    [InlineData("\"v\"", "SET k v", "SET k w NX GET")]
    // IFEQ: compare-and-set.
    [InlineData("OK", "SET k v", "SET k w IFEQ v")]
    [InlineData("(nil)", "SET k v", "SET k w IFEQ x")]
    [InlineData("\"v\"", "SET k v", "SET k w IFEQ x", "GET k")]
    [InlineData("(error) ERR syntax error", "SET k v NX XX")]
    [InlineData("(error) ERR syntax error", "SET k v EX 10 PX 100")]
    [InlineData("(error) ERR syntax error", "SET k v KEEPTTL EX 10")]
    [InlineData("(error) ERR invalid expire time in 'set' command", "SET k v EX 0")]
    [InlineData("(error) ERR value is not an integer or out of range", "SET k v EX ten")]
    [InlineData("(integer) 10", "SET k v EX 10", "TTL k")]
    [InlineData("(integer) 1500", "SET k v PX 1500", "PTTL k")]
    [InlineData("(integer) 10", "SET k v EX 10", "SET k w KEEPTTL", "TTL k")]
    [InlineData("(integer) -1", "SET k v EX 10", "SET k w", "TTL k")]
    [InlineData("(integer) -2", "TTL k")]
    [InlineData("(integer) -1", "SET k v", "TTL k")]
    [InlineData("(integer) 1", "SETNX k v")]
    [InlineData("(integer) 0", "SET k v", "SETNX k w")]
    [InlineData("(integer) 20", "SETEX k 20 v", "TTL k")]
    [InlineData("(error) ERR invalid expire time in 'setex' command", "SETEX k -1 v")]
    [InlineData("(integer) 250", "PSETEX k 250 v", "PTTL k")]
    [InlineData("\"v\"", "SET k v", "GETSET k w")]
    [InlineData("\"w\"", "SET k v", "GETSET k w", "GET k")]
    [InlineData("\"v\"", "SET k v", "GETDEL k")]
    [InlineData("(nil)", "SET k v", "GETDEL k", "GET k")]
    [InlineData("(integer) 30", "SET k v", "GETEX k EX 30", "TTL k")]
    [InlineData("(integer) -1", "SET k v EX 30", "GETEX k PERSIST", "TTL k")]
    [InlineData("(integer) 1", "INCR n")]
    [InlineData("(integer) 11", "SET n 10", "INCR n")]
    [InlineData("(integer) 9", "SET n 10", "DECR n")]
    [InlineData("(integer) 15", "SET n 10", "INCRBY n 5")]
    [InlineData("(integer) -5", "DECRBY n 5")]
    // Redis accepts only canonical integers: no spaces, '+', or leading zeros.
    [InlineData("(error) ERR value is not an integer or out of range", "SET n 010", "INCR n")]
    [InlineData("(error) ERR value is not an integer or out of range", "SET n abc", "INCR n")]
    [InlineData("(error) ERR increment or decrement would overflow", "SET n 9223372036854775807", "INCR n")]
    // Redis words the DECRBY LLONG_MIN case apart: the negation itself would overflow.
    [InlineData("(error) ERR decrement would overflow", "DECRBY n -9223372036854775808")]
    [InlineData("(integer) 10", "SET n 10 EX 10", "INCR n", "TTL n")]
    [InlineData("(integer) 5", "APPEND k hello")]
    [InlineData("\"hello_world\"", "APPEND k hello", "APPEND k _world", "GET k")]
    [InlineData("(integer) 5", "SET k hello", "STRLEN k")]
    [InlineData("(integer) 0", "STRLEN k")]
    [InlineData("[\"a\", (nil), \"c\"]", "SET x a", "SET z c", "MGET x y z")]
    [InlineData("\"2\"", "MSET x 1 y 2", "GET y")]
    [InlineData("(integer) 2", "MSET x 1 y 2", "DEL x y z")]
    // DEL k k removes k once and counts it once; EXISTS k k counts twice.
    [InlineData("(integer) 1", "SET k v", "DEL k k")]
    [InlineData("(integer) 2", "SET k v", "EXISTS k k")]
    [InlineData("(integer) 1", "SET k v", "UNLINK k")]
    [InlineData("(integer) 1", "SET k v", "EXPIRE k 100")]
    [InlineData("(integer) 0", "EXPIRE k 100")]
    [InlineData("(integer) 100", "SET k v", "EXPIRE k 100", "TTL k")]
    [InlineData("(integer) 0", "SET k v", "EXPIRE k 100 XX")]
    [InlineData("(integer) 1", "SET k v", "EXPIRE k 100 NX")]
    [InlineData("(integer) 0", "SET k v EX 50", "EXPIRE k 10 GT")]
    [InlineData("(integer) 1", "SET k v EX 50", "EXPIRE k 10 LT")]
    [InlineData("(error) ERR NX and XX, GT or LT options at the same time are not compatible", "SET k v", "EXPIRE k 10 NX XX")]
    [InlineData("(error) ERR GT and LT options at the same time are not compatible", "SET k v", "EXPIRE k 10 GT LT")]
    // An expiry in the past deletes the key.
    [InlineData("(integer) -2", "SET k v", "EXPIRE k -1", "TTL k")]
    [InlineData("(integer) 2000", "SET k v", "PEXPIRE k 2000", "PTTL k")]
    [InlineData("(integer) 5000", "SET k v", "PEXPIREAT k 1700000005000", "PTTL k")]
    [InlineData("(integer) 5", "SET k v", "EXPIREAT k 1700000005", "TTL k")]
    [InlineData("(integer) 1", "SET k v EX 10", "PERSIST k")]
    [InlineData("(integer) 0", "SET k v", "PERSIST k")]
    [InlineData("string", "SET k v", "TYPE k")]
    [InlineData("none", "TYPE k")]
    [InlineData("(integer) 3", "MSET a 1 b 2 c 3", "DBSIZE")]
    [InlineData("(integer) 0", "MSET a 1 b 2", "FLUSHALL", "DBSIZE")]
    public void Commands_should_behave_as_in_Redis(string expected, params string[] lines)
    {
        string? reply = null;
        foreach (var line in lines) reply = Run(line);
        Assert.Equal(expected, reply);
    }

    [Fact]
    public void Expired_keys_should_be_invisible_at_once_and_removed_in_the_background()
    {
        Run("SET k v PX 100");
        Assert.Equal("\"v\"", Run("GET k", Now + 99));
        Assert.Equal("(nil)", Run("GET k", Now + 100));
        Assert.Equal("(integer) 0", Run("EXISTS k", Now + 100));
        Assert.Equal(1, _state.Count);
        Assert.Equal(1, _state.RemoveExpired(Now + 100, 10));
        Assert.Equal(0, _state.Count);
        Assert.Equal(0, _memory.UsedBytes);
    }

    [Fact]
    public void A_rewritten_expiry_should_not_be_removed_at_its_old_time()
    {
        Run("SET k v PX 100");
        Run("PEXPIRE k 1000");
        Assert.Equal(0, _state.RemoveExpired(Now + 500, 10));
        Assert.Equal("\"v\"", Run("GET k", Now + 500));
    }

    [Fact]
    public void Replaying_the_events_of_a_shard_should_rebuild_the_same_map()
    {
        var events = new List<IShardEvent>();
        foreach (var line in new[] { "SET a 1", "SET b 2 EX 100", "INCR a", "DEL b", "APPEND c xy", "EXPIRE c 50" })
        {
            var args = Args(line);
            _state.Execute(CommandTable.Find(args[0])!.Id, args[1..], Now, events);
        }

        var replica = new ShardState(new NodeMemory(0));
        foreach (var e in events) replica.Apply(e);
        Assert.Equal(Show(_state.Execute(CommandId.MGet, Args("a b c"), Now, [])), Show(replica.Execute(CommandId.MGet, Args("a b c"), Now, [])));
        Assert.Equal("(integer) 50", Show(replica.Execute(CommandId.Ttl, Args("c"), Now, [])));
    }

    [Fact]
    public void A_snapshot_should_restore_keys_values_and_expiry()
    {
        Run("MSET a 1 b 2");
        Run("EXPIRE b 30");
        var restored = new ShardState(new NodeMemory(0));
        restored.Load(_state.ToSnapshot());
        Assert.Equal("[\"1\", \"2\"]", Show(restored.Execute(CommandId.MGet, Args("a b"), Now, [])));
        Assert.Equal("(integer) 30", Show(restored.Execute(CommandId.Ttl, Args("b"), Now, [])));
    }

    [Fact]
    public void Memory_accounting_should_follow_sets_overwrites_and_deletes()
    {
        Run("SET key value");
        Assert.Equal(3 + 5 + NodeMemory.EntryOverhead, _memory.UsedBytes);
        Run("SET key longer-value");
        Assert.Equal(3 + 12 + NodeMemory.EntryOverhead, _memory.UsedBytes);
        Assert.Equal(1, _memory.Keys);
        Run("DEL key");
        Assert.Equal(0, _memory.UsedBytes);
        Assert.Equal(0, _memory.Keys);
    }

    [Fact]
    public void Scan_should_return_every_key_exactly_once_across_pages()
    {
        var keys = Enumerable.Range(0, 500).Select(i => "key:" + i).ToArray();
        foreach (var key in keys) Run("SET " + key + " v");

        var seen = new List<string>();
        long cursor = 0;
        do
        {
            var reply = (Replies.ArrayReply)_state.Execute(CommandId.Scan, [B(cursor.ToString()), B("37")], Now, []);
            cursor = ((Replies.IntegerReply)reply.Items![0]).Value;
            seen.AddRange(((Replies.ArrayReply)reply.Items[1]).Items!.Select(r => System.Text.Encoding.UTF8.GetString(((Replies.BulkReply)r).Value!)));
        }
        while (cursor != 0);

        Assert.Equal(keys.Order(), seen.Order());
    }

    [Fact]
    public void Keys_should_filter_with_the_glob_pattern()
    {
        Run("MSET user:1 a user:2 b order:1 c");
        var reply = (Replies.ArrayReply)_state.Execute(CommandId.Keys, [B("user:*")], Now, []);
        var keys = reply.Items!.Select(Show).Order().ToArray();
        Assert.Equal(["\"user:1\"", "\"user:2\""], keys);
    }

    [Fact]
    public void Rewriting_expiries_again_and_again_should_not_grow_the_expiry_queue_without_bound()
    {
        Run("SET k v EX 1000");
        for (var i = 0; i < 20_000; i++) Run($"EXPIRE k {1000 + i}");
        _state.RemoveExpired(Now, 10);
        Assert.True(_state.PendingExpiries < 2000, $"{_state.PendingExpiries} entries queued for one key with an expiry");
        Assert.Equal("(integer) 20999", Run("TTL k"));
    }
}
