using AegisKV.Core.Commands;
using AegisKV.Core.State;
using static AegisKV.Core.Tests.Text;

namespace AegisKV.Core.Tests;

/// <summary>GETRANGE, SUBSTR, SETRANGE and INCRBYFLOAT; every expected reply is what redis-server 7.0.15 answers.</summary>
public sealed class ShardStateStringTests
{
    private const long Now = 1_700_000_000_000;

    private readonly ShardState _state = new(new NodeMemory(0));

    private string Run(string line) => Text.Run(_state, line, Now);

    // Each case: commands run in order, with the reply expected of the last.
    [Theory]
    [InlineData("\"Hello\"", "SET s Hello_World", "GETRANGE s 0 4")]
    [InlineData("\"rld\"", "SET s Hello_World", "GETRANGE s -3 -1")]
    [InlineData("\"Hello_World\"", "SET s Hello_World", "GETRANGE s 0 -1")]
    // Start past end, both negative and crossed, or start at the end: empty.
    [InlineData("\"\"", "SET s Hello_World", "GETRANGE s 5 2")]
    [InlineData("\"\"", "SET s Hello_World", "GETRANGE s -1 -5")]
    [InlineData("\"\"", "SET s Hello_World", "GETRANGE s 11 11")]
    // Indexes beyond the value are clamped to it.
    [InlineData("\"Hello_World\"", "SET s Hello_World", "GETRANGE s -100 100")]
    [InlineData("\"lo_World\"", "SET s Hello_World", "GETRANGE s 3 1000")]
    [InlineData("\"d\"", "SET s Hello_World", "GETRANGE s 10 10")]
    [InlineData("\"\"", "GETRANGE missing 0 5")]
    [InlineData("(error) ERR value is not an integer or out of range", "SET s x", "GETRANGE s a 1")]
    [InlineData("\"Hello\"", "SET s Hello_World", "SUBSTR s 0 4")]
    // SETRANGE overwrites in place, pads with zero bytes, and answers the new length.
    [InlineData("(integer) 11", "SET s Hello_World", "SETRANGE s 6 Redis")]
    [InlineData("\"Hello_Redis\"", "SET s Hello_World", "SETRANGE s 6 Redis", "GET s")]
    [InlineData("(integer) 6", "SETRANGE padded 5 x")]
    [InlineData("\"\0\0\0\0\0x\"", "SETRANGE padded 5 x", "GET padded")]
    [InlineData("(error) ERR offset is out of range", "SETRANGE s -1 x")]
    [InlineData("(error) ERR string exceeds maximum allowed size (proto-max-bulk-len)", "SETRANGE s 536870912 x")]
    // An offset near long.MaxValue must not overflow into a negative length.
    [InlineData("(error) ERR string exceeds maximum allowed size (proto-max-bulk-len)", "SETRANGE s 9223372036854775807 A")]
    // INCRBYFLOAT stores the shortest text of the result, never an exponent.
    [InlineData("\"10.6\"", "SET f 10.50", "INCRBYFLOAT f 0.1")]
    [InlineData("\"5.6\"", "SET f 10.50", "INCRBYFLOAT f 0.1", "INCRBYFLOAT f -5")]
    [InlineData("\"5200\"", "SET f 5.0e3", "INCRBYFLOAT f 2.0e2")]
    [InlineData("\"3.0015\"", "SET f 3", "INCRBYFLOAT f 1.5e-3")]
    [InlineData("\"3\"", "INCRBYFLOAT fresh 3")]
    [InlineData("\"100000000000000000000\"", "INCRBYFLOAT big 1e20")]
    [InlineData("(error) ERR value is not a valid float", "SET g abc", "INCRBYFLOAT g 1")]
    [InlineData("(error) ERR value is not a valid float", "INCRBYFLOAT f abc")]
    [InlineData("(error) ERR increment would produce NaN or Infinity", "INCRBYFLOAT f inf")]
    public void String_commands_should_answer_as_Redis(string expected, params string[] lines)
    {
        var reply = "";
        foreach (var line in lines) reply = Run(line);
        Assert.Equal(expected, reply);
    }

    // An empty patch changes nothing and creates no key; on a key it answers the length.
    [Fact]
    public void SETRANGE_with_an_empty_value_should_change_nothing()
    {
        Assert.Equal("(integer) 0", Show(_state.Execute(CommandId.SetRange, [B("none"), B("0"), []], Now, [])));
        Assert.Equal("(integer) 0", Run("EXISTS none"));
        Run("SET s Hello");
        Assert.Equal("(integer) 5", Show(_state.Execute(CommandId.SetRange, [B("s"), B("3"), []], Now, [])));
    }

    [Fact]
    public void SETRANGE_and_INCRBYFLOAT_should_keep_the_expiry()
    {
        Run($"SET k 1 PXAT {Now + 60_000}");
        Run("SETRANGE k 1 0");
        Run("INCRBYFLOAT k 0.5");
        Assert.Equal("\"10.5\"", Run("GET k"));
        Assert.Equal("(integer) 60000", Run("PTTL k"));
    }
}
