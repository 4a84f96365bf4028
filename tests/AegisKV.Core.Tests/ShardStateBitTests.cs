using AegisKV.Core.Commands;
using AegisKV.Core.State;
using static AegisKV.Core.Tests.Text;

namespace AegisKV.Core.Tests;

/// <summary>SETBIT, GETBIT, BITCOUNT, BITPOS, BITFIELD, LCS and COPY; expected replies are Redis 7's (its documentation's examples).</summary>
public sealed class ShardStateBitTests
{
    private const long Now = 1_700_000_000_000;

    private readonly ShardState _state = new(new NodeMemory(0));

    private string Run(string line) => Text.Run(_state, line, Now);

    private void SetBytes(string key, params byte[] value) => _state.Execute(CommandId.Set, [B(key), value], Now, []);

    [Theory]
    [InlineData("(integer) 0", "SETBIT k 7 1")]
    [InlineData("(integer) 1", "SETBIT k 7 1", "SETBIT k 7 0")]
    [InlineData("\"\u0001\"", "SETBIT k 7 1", "GET k")]
    [InlineData("(integer) 1", "SETBIT k 7 1", "GETBIT k 7")]
    [InlineData("(integer) 0", "GETBIT k 100")]
    [InlineData("(error) ERR bit offset is not an integer or out of range", "SETBIT k -1 1")]
    [InlineData("(error) ERR bit offset is not an integer or out of range", "SETBIT k 4294967296 1")]
    [InlineData("(error) ERR bit is not an integer or out of range", "SETBIT k 0 2")]
    [InlineData("(integer) 26", "SET k foobar", "BITCOUNT k")]
    [InlineData("(integer) 4", "SET k foobar", "BITCOUNT k 0 0")]
    [InlineData("(integer) 6", "SET k foobar", "BITCOUNT k 1 1")]
    [InlineData("(integer) 17", "SET k foobar", "BITCOUNT k 5 30 BIT")]
    [InlineData("(error) ERR syntax error", "SET k foobar", "BITCOUNT k 1")]
    [InlineData("(integer) 0", "BITCOUNT missing")]
    [InlineData("(integer) -1", "BITPOS missing 1")]
    [InlineData("(integer) 0", "BITPOS missing 0")]
    [InlineData("(error) ERR The bit argument must be 1 or 0.", "BITPOS k 2")]
    [InlineData("[(integer) 1, (integer) 0]", "BITFIELD k INCRBY i5 100 1 GET u4 0")]
    [InlineData("[(integer) 1, (integer) 1]", "BITFIELD k INCRBY u2 100 1 OVERFLOW SAT INCRBY u2 102 1")]
    [InlineData("[(nil)]", "BITFIELD k OVERFLOW FAIL INCRBY u2 0 4")]
    [InlineData("[(integer) 0, (integer) -1]", "BITFIELD k SET i8 #1 255 GET i8 #1")]
    [InlineData("[(integer) 0, (integer) 255]", "BITFIELD k SET u8 0 -1 GET u8 0")]
    [InlineData("[(integer) 0, (integer) 127]", "BITFIELD k OVERFLOW SAT SET i8 0 1000 GET i8 0")]
    [InlineData("(error) ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.", "BITFIELD k GET u64 0")]
    [InlineData("(error) ERR BITFIELD_RO only supports the GET subcommand", "BITFIELD_RO k SET u8 0 1")]
    [InlineData("[(integer) 0]", "BITFIELD_RO k GET u8 0")]
    [InlineData("\"mytext\"", "SET key1 ohmytext", "SET key2 mynewtext", "LCS key1 key2")]
    [InlineData("(integer) 6", "SET key1 ohmytext", "SET key2 mynewtext", "LCS key1 key2 LEN")]
    [InlineData("[\"matches\", [[[(integer) 4, (integer) 7], [(integer) 5, (integer) 8]], [[(integer) 2, (integer) 3], [(integer) 0, (integer) 1]]], \"len\", (integer) 6]",
        "SET key1 ohmytext", "SET key2 mynewtext", "LCS key1 key2 IDX")]
    [InlineData("[\"matches\", [[[(integer) 4, (integer) 7], [(integer) 5, (integer) 8], (integer) 4]], \"len\", (integer) 6]",
        "SET key1 ohmytext", "SET key2 mynewtext", "LCS key1 key2 IDX MINMATCHLEN 4 WITHMATCHLEN")]
    [InlineData("(error) ERR The specified keys must contain string values", "HSET key1 f v", "LCS key1 key2")]
    [InlineData("(integer) 1", "SET a 1", "COPY a b")]
    [InlineData("(integer) 0", "SET a 1", "SET b 2", "COPY a b")]
    [InlineData("\"1\"", "SET a 1", "SET b 2", "COPY a b REPLACE", "GET b")]
    [InlineData("[\"f\", \"v\"]", "HSET a f v", "COPY a b", "HGETALL b")]
    [InlineData("(error) ERR DB index is out of range", "SET a 1", "COPY a b DB 1")]
    [InlineData("(error) ERR source and destination objects are the same", "SET a 1", "COPY a a")]
    [InlineData("(integer) -1", "SET a 1", "EXPIRETIME a")]
    [InlineData("(integer) -2", "EXPIRETIME missing")]
    public void Commands_should_answer_as_Redis(string expected, params string[] lines)
    {
        var reply = "";
        foreach (var line in lines) reply = Run(line);
        Assert.Equal(expected, reply);
    }

    [Fact]
    public void BITPOS_should_find_bits_as_Redis_does()
    {
        SetBytes("a", 0xff, 0xf0, 0x00);
        Assert.Equal("(integer) 12", Run("BITPOS a 0"));
        SetBytes("b", 0x00, 0xff, 0xf0);
        Assert.Equal("(integer) 8", Run("BITPOS b 1 0"));
        Assert.Equal("(integer) 16", Run("BITPOS b 1 2"));
        Assert.Equal("(integer) 16", Run("BITPOS b 1 2 -1 BYTE"));
        Assert.Equal("(integer) 8", Run("BITPOS b 1 7 15 BIT"));
        SetBytes("c", 0x00, 0x00, 0x00);
        Assert.Equal("(integer) -1", Run("BITPOS c 1"));
        Assert.Equal("(integer) -1", Run("BITPOS c 1 7 -3 BIT"));
        SetBytes("d", 0xff, 0xff, 0xff);
        // No end given: the value goes on with zero bits; an end given: nothing found.
        Assert.Equal("(integer) 24", Run("BITPOS d 0"));
        Assert.Equal("(integer) -1", Run("BITPOS d 0 0 -1"));
    }

    [Fact]
    public void EXPIRETIME_and_PEXPIRETIME_should_answer_the_absolute_expiry()
    {
        Run($"SET a 1 PXAT {Now + 5500}");
        Assert.Equal($"(integer) {(Now + 5500) / 1000}", Run("EXPIRETIME a"));
        Assert.Equal($"(integer) {Now + 5500}", Run("PEXPIRETIME a"));
    }
}
