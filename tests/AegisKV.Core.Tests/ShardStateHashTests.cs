using AegisKV.Core.Commands;
using AegisKV.Core.State;
using static AegisKV.Core.Tests.Text;

namespace AegisKV.Core.Tests;

/// <summary>Hashes, their field expiry, WRONGTYPE, DUMP/RESTORE; expected replies are Redis 7.4's.</summary>
public sealed class ShardStateHashTests
{
    private const long Now = 1_700_000_000_000;

    private readonly NodeMemory _memory = new(0);
    private readonly ShardState _state;
    private readonly List<IShardEvent> _log = [];

    public ShardStateHashTests() => _state = new ShardState(_memory);

    // Runs a line and keeps its events, so a test can replay them into a fresh shard.
    private string Run(string line, long now = Now)
    {
        var args = Args(line);
        var spec = CommandTable.Find(args[0]) ?? throw new ArgumentException(line);
        var events = new List<IShardEvent>();
        var reply = Show(_state.Execute(spec.Id, args[1..], now, events));
        _log.AddRange(events);
        return reply;
    }

    [Theory]
    [InlineData("(integer) 2", "HSET h a 1 b 2")]
    [InlineData("(integer) 1", "HSET h a 1 b 2", "HSET h a 9 c 3")]
    [InlineData("(integer) 1", "HSET h f 1 f 2")]
    [InlineData("\"2\"", "HSET h f 1 f 2", "HGET h f")]
    [InlineData("\"9\"", "HSET h a 1", "HSET h a 9", "HGET h a")]
    [InlineData("(error) ERR wrong number of arguments for 'hset' command", "HSET h a 1 b")]
    [InlineData("OK", "HMSET h a 1")]
    [InlineData("(integer) 0", "HSET h a 1", "HSETNX h a 2")]
    [InlineData("\"1\"", "HSET h a 1", "HSETNX h a 2", "HGET h a")]
    [InlineData("(integer) 1", "HSETNX h a 2")]
    [InlineData("(nil)", "HGET missing a")]
    [InlineData("[\"1\", (nil), \"2\"]", "HSET h a 1 b 2", "HMGET h a x b")]
    [InlineData("[(nil), (nil)]", "HMGET missing a b")]
    [InlineData("(integer) 2", "HSET h a 1 b 2 c 3", "HDEL h a b x a")]
    [InlineData("(integer) 0", "HSET h a 1", "HDEL h a", "EXISTS h")]
    [InlineData("(integer) 1", "HSET h a 1", "HEXISTS h a")]
    [InlineData("(integer) 0", "HSET h a 1", "HEXISTS h b")]
    [InlineData("(integer) 3", "HSET h a 1 b 2 c 3", "HLEN h")]
    [InlineData("(integer) 0", "HLEN missing")]
    [InlineData("(integer) 5", "HSET h a hello", "HSTRLEN h a")]
    [InlineData("[]", "HGETALL missing")]
    [InlineData("[\"a\", \"1\"]", "HSET h a 1", "HGETALL h")]
    [InlineData("[\"a\"]", "HSET h a 1", "HKEYS h")]
    [InlineData("[\"1\"]", "HSET h a 1", "HVALS h")]
    [InlineData("(integer) 15", "HSET h n 10", "HINCRBY h n 5")]
    [InlineData("(integer) -3", "HINCRBY h n -3")]
    [InlineData("(error) ERR hash value is not an integer", "HSET h n x", "HINCRBY h n 1")]
    [InlineData("(error) ERR value is not an integer or out of range", "HINCRBY h n x")]
    [InlineData("(error) ERR increment or decrement would overflow", "HSET h n 9223372036854775807", "HINCRBY h n 1")]
    [InlineData("\"10.6\"", "HSET h f 10.50", "HINCRBYFLOAT h f 0.1")]
    [InlineData("(error) ERR hash value is not a float", "HSET h f x", "HINCRBYFLOAT h f 1")]
    [InlineData("(error) ERR value is not a valid float", "HINCRBYFLOAT h f x")]
    [InlineData("(error) ERR value is NaN or Infinity", "HINCRBYFLOAT h f +inf")]
    [InlineData("(error) ERR value is out of range", "HSET h a 1", "HRANDFIELD h -9223372036854775808 WITHVALUES")]
    [InlineData("(error) ERR value is out of range", "HSET h a 1", "HRANDFIELD h -9223372036854770000 WITHVALUES")]
    [InlineData("hash", "HSET h a 1", "TYPE h")]
    [InlineData("(nil)", "HRANDFIELD missing")]
    [InlineData("\"a\"", "HSET h a 1", "HRANDFIELD h")]
    [InlineData("[\"a\", \"1\"]", "HSET h a 1", "HRANDFIELD h 5 WITHVALUES")]
    [InlineData("[\"a\", \"a\", \"a\"]", "HSET h a 1", "HRANDFIELD h -3")]
    [InlineData("[]", "HSET h a 1", "HRANDFIELD h 0")]
    [InlineData("(error) ERR syntax error", "HSET h a 1", "HRANDFIELD h 1 WITHVALUE")]
    [InlineData("[\"0\", [\"a\", \"1\"]]", "HSET h a 1", "HSCAN h 0")]
    [InlineData("[\"0\", [\"a\"]]", "HSET h a 1 b 2", "HSCAN h 0 MATCH a NOVALUES")]
    [InlineData("[\"0\", []]", "HSCAN missing 0")]
    [InlineData("(error) ERR invalid cursor", "HSCAN h x")]
    public void Hash_commands_should_answer_as_Redis(string expected, params string[] lines)
    {
        var reply = "";
        foreach (var line in lines) reply = Run(line);
        Assert.Equal(expected, reply);
    }

    [Theory]
    [InlineData("SET s x", "HSET s a 1")]
    [InlineData("SET s x", "HGET s a")]
    [InlineData("SET s x", "HGETALL s")]
    [InlineData("SET s x", "HEXPIRE s 10 FIELDS 1 a")]
    [InlineData("HSET h a 1", "GET h")]
    [InlineData("HSET h a 1", "INCR h")]
    [InlineData("HSET h a 1", "APPEND h x")]
    [InlineData("HSET h a 1", "GETRANGE h 0 1")]
    [InlineData("HSET h a 1", "SET h x GET")]
    public void A_command_on_the_other_type_should_answer_WRONGTYPE(string setup, string line)
    {
        Run(setup);
        Assert.Equal("(error) WRONGTYPE Operation against a key holding the wrong kind of value", Run(line));
    }

    [Fact]
    public void Commands_for_any_type_should_work_on_hashes()
    {
        Run("HSET h a 1");
        Run("SET s x");
        Assert.Equal("[(nil), \"x\"]", Run("MGET h s"));
        Assert.Equal("(integer) 1", Run($"PEXPIREAT h {Now + 5000}"));
        Assert.Equal("(integer) 5000", Run("PTTL h"));
        Assert.Equal("OK", Run("RENAME h h2"));
        Assert.Equal("[\"a\", \"1\"]", Run("HGETALL h2"));
        Assert.Equal("(integer) 5000", Run("PTTL h2"));
        Assert.Equal("OK", Run("SET h2 plain"));
        Assert.Equal("string", Run("TYPE h2"));
        Assert.Equal("(integer) -1", Run("PTTL h2"));
    }

    // As Redis's listpack: a new field goes last, an updated one keeps its place; a snapshot and a replay keep the order.
    [Fact]
    public void A_small_hash_should_answer_in_the_order_its_fields_were_added()
    {
        Run("HSET h c 1 a 2 b 3");
        Run("HSET h a 9");
        Run("HDEL h c");
        Run("HSET h c 4");
        const string expected = "[\"a\", \"9\", \"b\", \"3\", \"c\", \"4\"]";
        Assert.Equal(expected, Run("HGETALL h"));
        Assert.Equal("[\"a\", \"b\", \"c\"]", Run("HKEYS h"));

        var loaded = new ShardState(new NodeMemory(0));
        loaded.Load(_state.ToSnapshot());
        var replayed = new ShardState(new NodeMemory(0));
        foreach (var e in _log) replayed.Apply(e);
        Assert.Equal(expected, Text.Run(loaded, "HGETALL h", Now));
        Assert.Equal(expected, Text.Run(replayed, "HGETALL h", Now));
        // DUMP writes the fields as snapshot files do: RESTORE brings the order back.
        Assert.Equal("OK", Restore("copy", "0", Dump("h")));
        Assert.Equal(expected, Run("HGETALL copy"));
    }

    [Fact]
    public void Field_expiry_should_hide_fields_and_drop_the_hash_when_all_are_gone()
    {
        Run("HSET h a 1 b 2 c 3");
        Assert.Equal("[(integer) 1, (integer) -2]", Run("HEXPIRE h 10 FIELDS 2 a x"));
        Assert.Equal("[(integer) 1]", Run("HPEXPIRE h 20000 FIELDS 1 b"));
        Assert.Equal("[(integer) 10, (integer) 20, (integer) -1, (integer) -2]", Run("HTTL h FIELDS 4 a b c x"));
        Assert.Equal("[(integer) 0]", Run("HEXPIRE h 100 NX FIELDS 1 a"));
        Assert.Equal("[(integer) 0]", Run("HEXPIRE h 5 GT FIELDS 1 a"));
        Assert.Equal("[(integer) 1]", Run("HEXPIRE h 5 LT FIELDS 1 a"));
        Assert.Equal("[(integer) 1, (integer) -1]", Run("HPERSIST h FIELDS 2 b c"));
        Assert.Equal($"[(integer) {(Now + 5000) / 1000}]", Run("HEXPIRETIME h FIELDS 1 a"));

        var later = Now + 6000;
        Assert.Equal("(nil)", Run("HGET h a", later));
        Assert.Equal("(integer) 2", Run("HLEN h", later));
        Assert.Equal("[(integer) 2]", Run("HEXPIRE h 0 FIELDS 1 c", later));
        Assert.Equal("[(integer) 1]", Run("HPEXPIRE h 1 FIELDS 1 b", later));
        Assert.Equal("(integer) 0", Run("EXISTS h", later + 10));
        Assert.Equal("none", Run("TYPE h", later + 10));
        Assert.Equal(1, _state.RemoveExpired(later + 10, 100));
        Assert.Equal(0, _state.Count);
        Assert.Equal(0, _memory.UsedBytes);
    }

    // A replica applies what its primary swept away as deletes: with its own clock behind, it shows the same hash.
    [Fact]
    public void Fields_and_hashes_swept_away_should_be_reported_as_deletes_a_replica_can_apply()
    {
        Run("HSET h a 1 b 2 c 3");
        Run("HSET gone x 1");
        Run("HEXPIRE h 5 FIELDS 2 a b");
        Run("HEXPIRE gone 5 FIELDS 1 x");
        var replica = new ShardState(new NodeMemory(0));
        foreach (var e in _log) replica.Apply(e);

        var keys = new List<byte[]>();
        var fields = new List<IShardEvent>();
        Assert.Equal(1, _state.RemoveExpired(Now + 6000, 100, keys, fields));
        Assert.Equal(["gone"], keys.Select(k => System.Text.Encoding.UTF8.GetString(k)));
        var dropped = Assert.IsType<HashFieldsDeleted>(Assert.Single(fields));
        Assert.Equal(["a", "b"], dropped.Fields.Select(f => System.Text.Encoding.UTF8.GetString(f)).Order());

        replica.Apply(dropped);
        replica.Apply(new KeysDeleted(_state.Epoch, [.. keys]));
        var events = new List<IShardEvent>();
        // Read at the time the fields were set: the replica's map no longer has what the primary dropped.
        Assert.Equal("(integer) 1", Show(replica.Execute(CommandId.HLen, Args("HLEN h")[1..], Now, events)));
        Assert.Equal("(integer) 0", Show(replica.Execute(CommandId.Exists, Args("EXISTS gone")[1..], Now, events)));
    }

    [Theory]
    [InlineData("(error) ERR Mandatory argument FIELDS is missing or not at the right position", "HEXPIRE h 10 FELDS 1 a")]
    [InlineData("(error) ERR The `numfields` parameter must match the number of arguments", "HEXPIRE h 10 FIELDS 2 a")]
    [InlineData("(error) ERR Parameter `numFields` should be greater than 0", "HTTL h FIELDS 0 a")]
    [InlineData("(error) ERR invalid expire time, must be >= 0 and <= 281474976710655", "HEXPIRE h -1 FIELDS 1 a")]
    [InlineData("[(integer) -2, (integer) -2]", "HTTL missing FIELDS 2 a b")]
    public void Field_expiry_arguments_should_be_checked_as_Redis_does(string expected, string line) =>
        Assert.Equal(expected, Run(line));

    // A hash whose fields all expired is gone: HSET starts a new one, on replay as well.
    [Fact]
    public void Writing_to_a_hash_whose_fields_expired_should_start_afresh_on_replay_too()
    {
        Run("HSET h a 1 b 2");
        Run("HPEXPIRE h 100 FIELDS 2 a b");
        Run("PEXPIRE h 200");
        Assert.Equal("(integer) 1", Run("HSET h c 3", Now + 300));

        var replayed = new ShardState(new NodeMemory(0));
        foreach (var e in _log) replayed.Apply(e);
        foreach (var state in new[] { _state, replayed })
        {
            Assert.Equal("[\"c\", \"3\"]", Text.Run(state, "HGETALL h", Now + 300));
            Assert.Equal("(integer) -1", Text.Run(state, "PTTL h", Now + 300));
        }
    }

    // The sweep that removes an expired hash is not journaled: a hash written after it must not merge,
    // on replay, into the old one that replay still holds (and take its passed expiry with it).
    [Fact]
    public void A_hash_written_after_the_sweep_removed_an_expired_one_should_replay_alone()
    {
        Run("HSET h a 1");
        Run($"PEXPIREAT h {Now + 100}");
        Assert.Equal(1, _state.RemoveExpired(Now + 200, 100));
        Assert.Equal("(integer) 1", Run("HINCRBY h n 1", Now + 300));

        var replayed = new ShardState(new NodeMemory(0));
        foreach (var e in _log) replayed.Apply(e);
        foreach (var state in new[] { _state, replayed })
        {
            Assert.Equal("[\"n\", \"1\"]", Text.Run(state, "HGETALL h", Now + 300));
            Assert.Equal("(integer) -1", Text.Run(state, "PTTL h", Now + 300));
        }
    }

    [Fact]
    public void KEYS_and_SCAN_should_skip_a_hash_whose_fields_all_expired()
    {
        Run("HSET h a 1");
        Run("HPEXPIRE h 100 FIELDS 1 a");
        Run("SET s 1");
        Assert.Equal("[\"s\"]", Run("KEYS *", Now + 200));
        Assert.Equal("[(integer) 0, [\"s\"]]", Text.Run(_state, "SCAN 0 10", Now + 200));
    }

    [Fact]
    public void A_snapshot_and_its_load_should_keep_hashes_with_their_field_expiry()
    {
        Run("HSET h a 1 b 2");
        Run("HPEXPIRE h 5000 FIELDS 1 a");
        Run("SET s x");
        var copy = new ShardState(new NodeMemory(0));
        copy.Load(_state.ToSnapshot());
        Assert.Equal("[(integer) 5000]", Text.Run(copy, "HPTTL h FIELDS 1 a", Now));
        Assert.Equal("\"2\"", Text.Run(copy, "HGET h b", Now));
        Assert.Equal("\"x\"", Text.Run(copy, "GET s", Now));
    }

    [Fact]
    public void A_refused_hash_write_should_be_taken_back()
    {
        Run("HSET h a 1");
        _state.Execute(CommandId.HSet, Args("h a 2 b 3"), Now, []);
        var undo = _state.TakeUndo();
        _state.Execute(CommandId.HDel, Args("h a"), Now, []);
        var undoDelete = _state.TakeUndo();
        _state.Undo(undoDelete);
        _state.Undo(undo);
        Assert.Equal("[\"a\", \"1\"]", Run("HGETALL h"));
    }

    [Fact]
    public void DUMP_and_RESTORE_should_copy_strings_and_hashes()
    {
        Run("HSET h a 1 b 2");
        Run("SET s text");
        var hash = Dump("h");
        var text = Dump("s");
        Assert.Equal("OK", Restore("h2", "0", hash));
        Assert.Equal("OK", Restore("s2", "1000", text));
        Assert.Equal("(integer) 2", Run("HLEN h2"));
        Assert.Equal("\"text\"", Run("GET s2"));
        Assert.Equal("(integer) 1000", Run("PTTL s2"));
        Assert.Equal("(error) BUSYKEY Target key name already exists.", Restore("h2", "0", hash));
        Assert.Equal("OK", Restore("h2", "0", text, "REPLACE"));
        Assert.Equal("string", Run("TYPE h2"));
        Assert.Equal("OK", Restore("past", (Now - 1).ToString(), text, "ABSTTL"));
        Assert.Equal("(integer) 0", Run("EXISTS past"));
        var damaged = (byte[])hash.Clone();
        damaged[3] ^= 1;
        Assert.Equal("(error) ERR DUMP payload version or checksum are wrong", Restore("bad", "0", damaged));
        Assert.Equal("(error) ERR Invalid TTL value, must be >= 0", Restore("bad", "-1", text));
        Assert.Equal("(error) ERR Invalid TTL value, must be >= 0", Restore("bad", long.MaxValue.ToString(), text));
        Assert.Equal("(nil)", Run("DUMP missing"));
    }

    private byte[] Dump(string key) =>
        ((AegisKV.Core.Replies.BulkReply)_state.Execute(CommandId.Dump, [B(key)], Now, [])).Value!;

    private string Restore(string key, string ttl, byte[] payload, params string[] options) =>
        Show(_state.Execute(CommandId.Restore, [B(key), B(ttl), payload, .. options.Select(B)], Now, []));
}
