using AegisKV.Protocol;

namespace AegisKV.Protocol.Tests;

public class RespReaderLimitsTests
{
    private static readonly RespLimits Small = new() { MaxBulkLength = 4, MaxInlineLength = 8, MaxArrayLength = 3 };

    public static TheoryData<string, string> AcceptedAtTheLimit => new()
    {
        // Bulk string of exactly MaxBulkLength bytes.
        { "*1\r\n$4\r\nabcd\r\n", "abcd" },
        // Array of exactly MaxArrayLength elements.
        { "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", "a|b|c" },
        // Inline line of exactly MaxInlineLength bytes; the "\r\n" does not count.
        { "GET abcd\r\n", "GET|abcd" },
        // Inline line of exactly MaxInlineLength bytes with a bare "\n".
        { "GET abcd\n", "GET|abcd" },
        // Skipped arrays ignore the element limit.
        { "*-1\r\n", "" },
    };

    [Theory]
    [MemberData(nameof(AcceptedAtTheLimit))]
    public void Reader_should_accept_requests_exactly_at_custom_limits(string input, string expected)
    {
        Assert.Equal(expected, Assert.Single(Resp.ReadAll(input, Small)));
    }

    public static TheoryData<string, string> RejectedOverTheLimit => new()
    {
        // Bulk length one over MaxBulkLength, rejected before its data arrives.
        { "*1\r\n$5\r\n", "invalid bulk length" },
        // Array count one over MaxArrayLength, rejected before any element arrives.
        { "*4\r\n", "invalid multibulk length" },
        // Inline line one over MaxInlineLength, newline present.
        { "GET abcde\r\n", "too big inline request" },
        // Inline line one over MaxInlineLength, no newline yet.
        { "GET abcde", "too big inline request" },
    };

    [Theory]
    [MemberData(nameof(RejectedOverTheLimit))]
    public void Reader_should_reject_requests_over_custom_limits(string input, string message)
    {
        var exception = Assert.Throws<RespProtocolException>(
            () => RespReader.TryReadRequest(Resp.Bytes(input), Small, out _, out _));

        Assert.Equal(message, exception.Message);
    }

    [Fact]
    public void Reader_should_wait_when_a_final_carriage_return_may_end_a_maximal_inline_line()
    {
        // Nine bytes with MaxInlineLength 8: the "\r" may be the start of "\r\n", so this is not yet too big.
        Assert.False(RespReader.TryReadRequest(Resp.Bytes("GET abcd\r"), Small, out _, out _));
    }

    public static TheoryData<string> HugeClaims => new()
    {
        // A 500 MB bulk string announced, three bytes sent.
        "*1\r\n$500000000\r\nabc",
        // The largest allowed bulk length announced after a complete first element.
        "*2\r\n$3\r\nGET\r\n$536870912\r\nab",
        // A million elements announced, one sent.
        "*1048576\r\n$3\r\nGET\r\n",
        // A large inline request that has not ended.
        "SET key 'lots of data",
    };

    [Theory]
    [MemberData(nameof(HugeClaims))]
    public void Reader_should_not_allocate_for_a_claimed_length_before_the_bytes_arrive(string input)
    {
        byte[] buffer = Resp.Bytes(input);

        // Warm up so JIT work is not counted.
        Assert.False(RespReader.TryReadRequest(buffer, RespLimits.Default, out _, out _));

        long before = GC.GetAllocatedBytesForCurrentThread();
        bool read = RespReader.TryReadRequest(buffer, RespLimits.Default, out byte[][] arguments, out int consumed);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.False(read);
        Assert.Equal(0, consumed);
        Assert.Empty(arguments);
        Assert.InRange(allocated, 0, 1024);
    }

    [Fact]
    public void Limits_should_default_to_the_Redis_values()
    {
        Assert.Equal(512L * 1024 * 1024, RespLimits.Default.MaxBulkLength);
        Assert.Equal(64 * 1024, RespLimits.Default.MaxInlineLength);
        Assert.Equal(1024 * 1024, RespLimits.Default.MaxArrayLength);
        Assert.Equal(RespLimits.Default, new RespLimits());
    }

    [Fact]
    public void Limits_should_reject_negative_values()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RespLimits { MaxBulkLength = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new RespLimits { MaxInlineLength = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => RespLimits.Default with { MaxArrayLength = -1 });
    }

    [Fact]
    public void Reader_should_require_limits()
    {
        Assert.Throws<ArgumentNullException>(() => RespReader.TryReadRequest(Resp.Bytes("PING\r\n"), null!, out _, out _));
    }
}
