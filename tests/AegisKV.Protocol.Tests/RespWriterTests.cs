using System.Buffers;
using AegisKV.Protocol;

namespace AegisKV.Protocol.Tests;

public class RespWriterTests
{
    public static TheoryData<string, string> SimpleStrings => new()
    {
        // The usual OK reply.
        { "OK", "+OK\r\n" },
        // An empty simple string.
        { "", "+\r\n" },
        // Line breaks cannot appear in a simple string, so they become spaces.
        { "a\r\nb", "+a  b\r\n" },
    };

    [Theory]
    [MemberData(nameof(SimpleStrings))]
    public void Writer_should_encode_simple_strings(string value, string expected)
    {
        Assert.Equal(expected, Write(w => RespWriter.WriteSimpleString(w, Resp.Bytes(value))));
    }

    public static TheoryData<string, string> Errors => new()
    {
        // The message carries its own prefix.
        { "ERR unknown command", "-ERR unknown command\r\n" },
        // A custom error code.
        { "WRONGTYPE Operation against a key holding the wrong kind of value", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n" },
        // Client text echoed in an error cannot inject a second reply.
        { "ERR bad key 'x\r\n+OK'", "-ERR bad key 'x  +OK'\r\n" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void Writer_should_encode_errors(string message, string expected)
    {
        Assert.Equal(expected, Write(w => RespWriter.WriteError(w, Resp.Bytes(message))));
    }

    public static TheoryData<long, string> Integers => new()
    {
        // Zero.
        { 0, ":0\r\n" },
        // A positive value.
        { 42, ":42\r\n" },
        // A negative value, as TTL returns.
        { -2, ":-2\r\n" },
        // The largest value.
        { long.MaxValue, ":9223372036854775807\r\n" },
        // The smallest value, the longest possible line.
        { long.MinValue, ":-9223372036854775808\r\n" },
    };

    [Theory]
    [MemberData(nameof(Integers))]
    public void Writer_should_encode_integers(long value, string expected)
    {
        Assert.Equal(expected, Write(w => RespWriter.WriteInteger(w, value)));
    }

    public static TheoryData<string, string> BulkStrings => new()
    {
        // A plain value.
        { "bar", "$3\r\nbar\r\n" },
        // An empty value is not null.
        { "", "$0\r\n\r\n" },
        // Binary data with CRLF and NUL is written unchanged.
        { "a\r\n\0b", "$5\r\na\r\n\0b\r\n" },
    };

    [Theory]
    [MemberData(nameof(BulkStrings))]
    public void Writer_should_encode_bulk_strings_byte_for_byte(string value, string expected)
    {
        Assert.Equal(expected, Write(w => RespWriter.WriteBulkString(w, Resp.Bytes(value))));
    }

    [Fact]
    public void Writer_should_encode_the_null_bulk_string()
    {
        Assert.Equal("$-1\r\n", Write(RespWriter.WriteNullBulkString));
    }

    [Fact]
    public void Writer_should_encode_the_null_array()
    {
        Assert.Equal("*-1\r\n", Write(RespWriter.WriteNullArray));
    }

    [Theory]
    // An empty array.
    [InlineData(0, "*0\r\n")]
    // A typical multi-element reply.
    [InlineData(3, "*3\r\n")]
    // The largest count.
    [InlineData(int.MaxValue, "*2147483647\r\n")]
    public void Writer_should_encode_array_headers(int count, string expected)
    {
        Assert.Equal(expected, Write(w => RespWriter.WriteArrayHeader(w, count)));
    }

    [Fact]
    public void Writer_should_refuse_a_negative_array_count()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RespWriter.WriteArrayHeader(new ArrayBufferWriter<byte>(), -1));
    }

    [Fact]
    public void Writer_should_append_replies_in_order()
    {
        string output = Write(w =>
        {
            RespWriter.WriteArrayHeader(w, 3);
            RespWriter.WriteBulkString(w, "a"u8);
            RespWriter.WriteNullBulkString(w);
            RespWriter.WriteInteger(w, 7);
        });

        Assert.Equal("*3\r\n$1\r\na\r\n$-1\r\n:7\r\n", output);
    }

    [Theory]
    // Just above the single-span threshold.
    [InlineData(4097)]
    // Many chunks.
    [InlineData(100_000)]
    public void Writer_should_split_large_payloads_across_small_spans(int length)
    {
        var payload = new byte[length];
        new Random(length).NextBytes(payload);
        var writer = new SmallSpanWriter();

        RespWriter.WriteBulkString(writer, payload);
        RespWriter.WriteError(writer, payload);

        string header = $"${length}\r\n";
        string error = Resp.Text(payload).Replace('\r', ' ').Replace('\n', ' ');
        Assert.Equal(header + Resp.Text(payload) + "\r\n-" + error + "\r\n", Resp.Text(writer.Written));
    }

    [Fact]
    public void Writer_output_should_read_back_as_the_same_request()
    {
        string[] arguments = ["SET", "key", "v\r\n\0", ""];
        var writer = new ArrayBufferWriter<byte>();
        RespWriter.WriteArrayHeader(writer, arguments.Length);
        foreach (string argument in arguments)
        {
            RespWriter.WriteBulkString(writer, Resp.Bytes(argument));
        }

        Assert.True(RespReader.TryReadRequest(writer.WrittenSpan, RespLimits.Default, out byte[][] read, out int consumed));
        Assert.Equal(writer.WrittenCount, consumed);
        Assert.Equal(string.Join('|', arguments), Resp.Render(read));
    }

    private static string Write(Action<IBufferWriter<byte>> write)
    {
        var writer = new ArrayBufferWriter<byte>();
        write(writer);
        return Resp.Text(writer.WrittenSpan);
    }

    /// <summary>Hands out spans no larger than asked for (at least 7 bytes), like a writer with tiny segments.</summary>
    private sealed class SmallSpanWriter : IBufferWriter<byte>
    {
        private readonly List<byte> _written = [];
        private byte[] _current = [];

        public byte[] Written => _written.ToArray();

        public void Advance(int count)
        {
            Assert.InRange(count, 0, _current.Length);
            _written.AddRange(_current.AsSpan(0, count).ToArray());
            _current = [];
        }

        public Memory<byte> GetMemory(int sizeHint = 0)
        {
            _current = new byte[Math.Max(sizeHint, 7)];
            return _current;
        }

        public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;
    }
}
