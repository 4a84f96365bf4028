using AegisKV.Protocol;

namespace AegisKV.Protocol.Tests;

public class RespReaderPartialFrameTests
{
    public static TheoryData<string> PipelinedBuffers => new()
    {
        // RESP request followed by another.
        "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*1\r\n$4\r\nPING\r\n",
        // Multi-digit counts and lengths, binary data with CRLF inside.
        "*3\r\n$3\r\nSET\r\n$10\r\nkey\r\nname!\r\n$12\r\n\0\r\n\r\nvalue!!\r\nPING\r\n",
        // Empty bulk string, then an inline request.
        "*2\r\n$4\r\nECHO\r\n$0\r\n\r\nPING\n",
        // Inline request with "\r\n", then RESP.
        "SET k \"a b\"\r\n*1\r\n$4\r\nPING\r\n",
        // Inline request with "\n".
        "GET k\nGET j\n",
        // Skipped empty array.
        "*0\r\nPING\r\n",
        // Skipped null array.
        "*-1\r\n*0\r\n",
        // Skipped blank line.
        "\r\nPING\r\n",
    };

    [Theory]
    [MemberData(nameof(PipelinedBuffers))]
    public void Reader_should_return_false_or_exactly_the_first_request_for_every_prefix(string pipeline)
    {
        byte[] buffer = Resp.Bytes(pipeline);
        Assert.True(RespReader.TryReadRequest(buffer, RespLimits.Default, out byte[][] first, out int firstConsumed));
        string expected = Resp.Render(first);

        for (int length = 0; length <= buffer.Length; length++)
        {
            bool read = RespReader.TryReadRequest(buffer.AsSpan(0, length), RespLimits.Default, out byte[][] arguments, out int consumed);

            if (length < firstConsumed)
            {
                Assert.False(read, $"prefix of {length} bytes");
                Assert.Equal(0, consumed);
                Assert.Empty(arguments);
            }
            else
            {
                Assert.True(read, $"prefix of {length} bytes");
                Assert.Equal(firstConsumed, consumed);
                Assert.Equal(expected, Resp.Render(arguments));
            }
        }
    }

    [Fact]
    public void Reader_should_return_false_until_the_bulk_body_arrives()
    {
        const string Header = "*2\r\n$3\r\nGET\r\n$5\r\n";
        string[] chunks = ["", "h", "hello", "hello\r"];

        foreach (string chunk in chunks)
        {
            Assert.False(RespReader.TryReadRequest(Resp.Bytes(Header + chunk), RespLimits.Default, out _, out int consumed));
            Assert.Equal(0, consumed);
        }

        Assert.True(RespReader.TryReadRequest(Resp.Bytes(Header + "hello\r\n"), RespLimits.Default, out byte[][] arguments, out _));
        Assert.Equal("GET|hello", Resp.Render(arguments));
    }

    [Fact]
    public void Reader_should_return_false_for_an_empty_buffer()
    {
        Assert.False(RespReader.TryReadRequest(ReadOnlySpan<byte>.Empty, RespLimits.Default, out byte[][] arguments, out int consumed));
        Assert.Empty(arguments);
        Assert.Equal(0, consumed);
    }

    [Fact]
    public void Reader_should_wait_for_the_newline_after_a_header_carriage_return()
    {
        Assert.False(RespReader.TryReadRequest(Resp.Bytes("*1\r"), RespLimits.Default, out _, out _));
        Assert.False(RespReader.TryReadRequest(Resp.Bytes("*1\r\n$3\r"), RespLimits.Default, out _, out _));
    }
}
