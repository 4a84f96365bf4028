using AegisKV.Protocol;

namespace AegisKV.Protocol.Tests;

public class RespReaderMalformedInputTests
{
    public static TheoryData<string, string> MalformedRequests => new()
    {
        // Non-numeric array count.
        { "*abc\r\n", "invalid multibulk length" },
        // Empty array count.
        { "*\r\n", "invalid multibulk length" },
        // Leading zero, which Redis's string2ll rejects.
        { "*01\r\n", "invalid multibulk length" },
        // Explicit plus sign.
        { "*+1\r\n", "invalid multibulk length" },
        // Whitespace inside the count.
        { "*1 \r\n", "invalid multibulk length" },
        // Count above int.MaxValue.
        { "*2147483648\r\n", "invalid multibulk length" },
        // Count overflowing a 64-bit integer.
        { "*99999999999999999999\r\n", "invalid multibulk length" },
        // Count above the default MaxArrayLength (Redis's "Out of range multibulk length" test).
        { "*20000000\r\n", "invalid multibulk length" },
        // "\r" not followed by "\n" after the count.
        { "*1\rx", "invalid multibulk length" },
        // Element not starting with '$'.
        { "*1\r\nfoo\r\n", "expected '$', got 'f'" },
        // Redis's "Wrong multibulk payload header" test: the third element is garbage.
        { "*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n", "expected '$', got 'f'" },
        // Element starting with a control byte; reported as that raw character.
        { "*1\r\n\r\n", "expected '$', got '\r'" },
        // Non-numeric bulk length.
        { "*1\r\n$abc\r\n", "invalid bulk length" },
        // Empty bulk length.
        { "*1\r\n$\r\n", "invalid bulk length" },
        // Negative bulk length (Redis's "Negative multibulk payload length" test).
        { "*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$-10\r\n", "invalid bulk length" },
        // The RESP2 null bulk string is not a valid request argument.
        { "*1\r\n$-1\r\n", "invalid bulk length" },
        // "-0" is rejected by string2ll.
        { "*1\r\n$-0\r\n", "invalid bulk length" },
        // Bulk length above the default 512 MiB.
        { "*1\r\n$536870913\r\n", "invalid bulk length" },
        // Bulk length overflowing a 64-bit integer.
        { "*1\r\n$9223372036854775808\r\n", "invalid bulk length" },
        // "\r" not followed by "\n" after the bulk length.
        { "*1\r\n$3\rxabc\r\n", "invalid bulk length" },
        // Bulk data one byte longer than declared.
        { "*1\r\n$3\r\nabcd\r\n", "invalid bulk terminator" },
        // Terminator bytes in the wrong order.
        { "*1\r\n$3\r\nabc\n\r", "invalid bulk terminator" },
        // Terminator missing its "\n".
        { "*1\r\n$3\r\nabc\rx", "invalid bulk terminator" },
        // A wrong byte where "\r" belongs fails before the rest arrives.
        { "*1\r\n$3\r\nabcX", "invalid bulk terminator" },
        // Unterminated double quote.
        { "SET k \"v\r\n", "unbalanced quotes in request" },
        // Unterminated single quote.
        { "SET k 'v\n", "unbalanced quotes in request" },
        // Closing double quote followed by a non-space.
        { "GET \"k\"x\r\n", "unbalanced quotes in request" },
        // Closing single quote followed by a non-space.
        { "GET 'k'x\r\n", "unbalanced quotes in request" },
        // An escaped quote does not close the string.
        { "GET \"k\\\"\r\n", "unbalanced quotes in request" },
        // A trailing backslash does not close the string either.
        { "GET \"k\\\n", "unbalanced quotes in request" },
        // A NUL byte ends the line inside a quote.
        { "GET \"k\0\"\n", "unbalanced quotes in request" },
    };

    [Theory]
    [MemberData(nameof(MalformedRequests))]
    public void Reader_should_reject_malformed_input_with_the_Redis_message(string input, string message)
    {
        var exception = Assert.Throws<RespProtocolException>(
            () => RespReader.TryReadRequest(Resp.Bytes(input), RespLimits.Default, out _, out _));

        Assert.Equal(message, exception.Message);
    }

    public static TheoryData<string, string> OversizedLines => new()
    {
        // A count line of 64 KiB + 1 bytes with no "\r".
        { "*" + new string('1', 64 * 1024), "too big mbulk count string" },
        // A bulk length line of 64 KiB + 1 bytes with no "\r".
        { "*1\r\n$" + new string('1', 64 * 1024), "too big bulk count string" },
        // An inline line of 64 KiB + 1 bytes with no newline yet.
        { new string('a', (64 * 1024) + 1), "too big inline request" },
        // An inline line of 64 KiB + 1 bytes even though its newline arrived.
        { new string('a', (64 * 1024) + 1) + "\r\n", "too big inline request" },
    };

    [Theory]
    [MemberData(nameof(OversizedLines))]
    public void Reader_should_reject_lines_longer_than_64_KiB(string input, string message)
    {
        var exception = Assert.Throws<RespProtocolException>(
            () => RespReader.TryReadRequest(Resp.Bytes(input), RespLimits.Default, out _, out _));

        Assert.Equal(message, exception.Message);
    }

    [Fact]
    public void Reader_should_accept_header_lines_up_to_64_KiB()
    {
        // The '\r' sits at index 65536: a header line of exactly 64 KiB, still accepted (then found invalid).
        string input = "*1\r\n$" + new string('1', (64 * 1024) - 1) + "\r\n";

        var exception = Assert.Throws<RespProtocolException>(
            () => RespReader.TryReadRequest(Resp.Bytes(input), RespLimits.Default, out _, out _));

        Assert.Equal("invalid bulk length", exception.Message);
    }

    [Fact]
    public void Reader_should_wait_below_the_header_limit()
    {
        string input = "*" + new string('1', (64 * 1024) - 1);

        Assert.False(RespReader.TryReadRequest(Resp.Bytes(input), RespLimits.Default, out _, out _));
    }
}
