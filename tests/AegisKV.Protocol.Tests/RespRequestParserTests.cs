using System.Text;

namespace AegisKV.Protocol.Tests;

/// <summary>The resumable parser a connection uses: same answers as a one-shot parse, however the bytes arrive.</summary>
public sealed class RespRequestParserTests
{
    [Theory]
    // An array request, split at every byte.
    [InlineData("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n")]
    // Empty and binary elements.
    [InlineData("*2\r\n$0\r\n\r\n$4\r\na\r\nb\r\n")]
    // An inline command.
    [InlineData("SET key value\r\n")]
    public void A_request_fed_in_growing_prefixes_should_parse_as_it_does_whole(string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        Assert.True(RespReader.TryReadRequest(bytes, RespLimits.Default, out var expected, out var expectedConsumed));

        for (var split = 1; split < bytes.Length; split++)
        {
            using var parser = new RespRequestParser(RespLimits.Default);
            // Every prefix up to the split, one byte more each time, as a trickling client sends it.
            for (var length = 1; length <= split; length++)
                Assert.False(parser.TryRead(bytes.AsSpan(0, length), out _, out _));
            Assert.True(parser.TryRead(bytes, out var arguments, out var consumed));
            Assert.Equal(expectedConsumed, consumed);
            Assert.Equal(expected, arguments);
        }
    }

    [Fact]
    public void The_parser_should_start_afresh_after_a_complete_request()
    {
        using var parser = new RespRequestParser(RespLimits.Default);
        var first = Encoding.ASCII.GetBytes("*2\r\n$3\r\nGET\r\n$1\r\na\r\n");
        Assert.False(parser.TryRead(first.AsSpan(0, 15), out _, out _));
        Assert.True(parser.TryRead(first, out var one, out _));
        Assert.True(parser.TryRead("*1\r\n$4\r\nPING\r\n"u8, out var two, out _));
        Assert.Equal(["GET"u8.ToArray(), "a"u8.ToArray()], one);
        Assert.Equal(["PING"u8.ToArray()], two);
    }

    [Fact]
    public void A_malformed_element_after_a_pause_should_fail_and_leave_the_parser_fresh()
    {
        using var parser = new RespRequestParser(RespLimits.Default);
        Assert.False(parser.TryRead("*2\r\n$3\r\nGET\r\n"u8, out _, out _));
        Assert.Throws<RespProtocolException>(() => parser.TryRead("*2\r\n$3\r\nGET\r\n+x\r\n"u8, out _, out _));
        Assert.True(parser.TryRead("PING\r\n"u8, out var arguments, out _));
        Assert.Equal(["PING"u8.ToArray()], arguments);
    }

    // A 100,000-element array fed 64 bytes at a time: every element lands where it belongs. (Parsed
    // from the start on each call, this took seconds; resumed, it takes milliseconds.)
    [Fact]
    public void A_large_array_arriving_in_small_pieces_should_be_read_whole()
    {
        const int count = 100_000;
        var text = new StringBuilder($"*{count}\r\n");
        for (var i = 0; i < count; i++) text.Append("$1\r\n").Append((char)('a' + i % 26)).Append("\r\n");
        var bytes = Encoding.ASCII.GetBytes(text.ToString());

        using var parser = new RespRequestParser(RespLimits.Default);
        byte[][] arguments = [];
        var done = false;
        for (var length = 64; !done; length = Math.Min(length + 64, bytes.Length))
            done = parser.TryRead(bytes.AsSpan(0, length), out arguments, out _);

        Assert.Equal(count, arguments.Length);
        Assert.Equal((byte)('a' + (count - 1) % 26), arguments[^1][0]);
    }
}
