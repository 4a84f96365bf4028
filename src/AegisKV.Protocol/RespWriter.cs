using System.Buffers;
using System.Buffers.Text;

namespace AegisKV.Protocol;

/// <summary>
/// Encodes RESP2 replies into an <see cref="IBufferWriter{T}"/> without allocating.
/// </summary>
public static class RespWriter
{
    // Prefix byte + "-9223372036854775808" + "\r\n".
    private const int MaxIntegerLineLength = 1 + 20 + 2;

    // Payloads up to this size go into one span together with their framing; larger ones are copied in
    // whatever spans the writer offers so we never demand one huge contiguous block.
    private const int ContiguousPayloadLimit = 4096;

    /// <summary>Writes a simple string: <c>+value\r\n</c>.</summary>
    /// <param name="writer">Destination.</param>
    /// <param name="value">
    /// The status text. A simple string cannot contain a line break, so any "\r" or "\n" is written as a space.
    /// </param>
    public static void WriteSimpleString(IBufferWriter<byte> writer, ReadOnlySpan<byte> value) =>
        WriteLine(writer, (byte)'+', value);

    /// <summary>Writes an error: <c>-message\r\n</c>.</summary>
    /// <param name="writer">Destination.</param>
    /// <param name="message">
    /// The full error text including its prefix, for example "ERR unknown command". Any "\r" or "\n" is
    /// written as a space, as Redis does, so text echoed from a client cannot break the reply stream.
    /// </param>
    public static void WriteError(IBufferWriter<byte> writer, ReadOnlySpan<byte> message) =>
        WriteLine(writer, (byte)'-', message);

    /// <summary>Writes an integer: <c>:value\r\n</c>.</summary>
    /// <param name="writer">Destination.</param>
    /// <param name="value">The integer.</param>
    public static void WriteInteger(IBufferWriter<byte> writer, long value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        WriteIntegerLine(writer, (byte)':', value);
    }

    /// <summary>Writes a bulk string: <c>$length\r\nvalue\r\n</c>. Binary safe.</summary>
    /// <param name="writer">Destination.</param>
    /// <param name="value">The payload; any bytes are allowed.</param>
    public static void WriteBulkString(IBufferWriter<byte> writer, ReadOnlySpan<byte> value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value.Length <= ContiguousPayloadLimit)
        {
            Span<byte> span = writer.GetSpan(MaxIntegerLineLength + value.Length + 2);
            int written = FormatIntegerLine(span, (byte)'$', value.Length);
            value.CopyTo(span[written..]);
            written += value.Length;
            span[written++] = (byte)'\r';
            span[written++] = (byte)'\n';
            writer.Advance(written);
            return;
        }

        WriteIntegerLine(writer, (byte)'$', value.Length);
        WriteChunked(writer, value, sanitizeLineBreaks: false);
        WriteRaw(writer, "\r\n"u8);
    }

    /// <summary>Writes the RESP2 null bulk string: <c>$-1\r\n</c>.</summary>
    /// <param name="writer">Destination.</param>
    public static void WriteNullBulkString(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        WriteRaw(writer, "$-1\r\n"u8);
    }

    /// <summary>Writes the RESP2 null array: <c>*-1\r\n</c>.</summary>
    /// <param name="writer">Destination.</param>
    public static void WriteNullArray(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        WriteRaw(writer, "*-1\r\n"u8);
    }

    /// <summary>
    /// Writes an array header: <c>*count\r\n</c>. The caller then writes exactly <paramref name="count"/> replies.
    /// </summary>
    /// <param name="writer">Destination.</param>
    /// <param name="count">Number of elements; use <see cref="WriteNullArray"/> for a null array.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    public static void WriteArrayHeader(IBufferWriter<byte> writer, int count)
    {
        ArgumentNullException.ThrowIfNull(writer);

        // "*-1" would silently turn into a null array and desynchronise the caller's element count.
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        WriteIntegerLine(writer, (byte)'*', count);
    }

    /// <summary>Writes the RESP3 null: <c>_\r\n</c>.</summary>
    /// <param name="writer">Destination.</param>
    public static void WriteNull(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        WriteRaw(writer, "_\r\n"u8);
    }

    /// <summary>Writes a RESP3 aggregate header: <c>%</c> map (count is pairs), <c>~</c> set or <c>&gt;</c> push.</summary>
    /// <param name="writer">Destination.</param>
    /// <param name="type">The aggregate's type byte: <c>%</c>, <c>~</c> or <c>&gt;</c>.</param>
    /// <param name="count">Number of elements (of pairs, for a map).</param>
    public static void WriteAggregateHeader(IBufferWriter<byte> writer, byte type, int count)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (type is not ((byte)'%' or (byte)'~' or (byte)'>')) throw new ArgumentOutOfRangeException(nameof(type), type, "not a RESP3 aggregate type");
        WriteIntegerLine(writer, type, count);
    }

    /// <summary>Writes a RESP3 double: <c>,text\r\n</c>; the text is as Redis prints it (e.g. <c>inf</c>).</summary>
    /// <param name="writer">Destination.</param>
    /// <param name="text">The number as ASCII text.</param>
    public static void WriteDouble(IBufferWriter<byte> writer, ReadOnlySpan<byte> text) => WriteLine(writer, (byte)',', text);

    private static void WriteLine(IBufferWriter<byte> writer, byte prefix, ReadOnlySpan<byte> text)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (text.Length <= ContiguousPayloadLimit)
        {
            Span<byte> span = writer.GetSpan(1 + text.Length + 2);
            span[0] = prefix;
            Span<byte> body = span.Slice(1, text.Length);
            text.CopyTo(body);
            ReplaceLineBreaks(body);
            span[1 + text.Length] = (byte)'\r';
            span[2 + text.Length] = (byte)'\n';
            writer.Advance(text.Length + 3);
            return;
        }

        Span<byte> first = writer.GetSpan(1);
        first[0] = prefix;
        writer.Advance(1);
        WriteChunked(writer, text, sanitizeLineBreaks: true);
        WriteRaw(writer, "\r\n"u8);
    }

    private static void WriteIntegerLine(IBufferWriter<byte> writer, byte prefix, long value)
    {
        Span<byte> span = writer.GetSpan(MaxIntegerLineLength);
        writer.Advance(FormatIntegerLine(span, prefix, value));
    }

    /// <summary>Formats <c>prefix value \r\n</c> into <paramref name="span"/> and returns the byte count.</summary>
    private static int FormatIntegerLine(Span<byte> span, byte prefix, long value)
    {
        span[0] = prefix;

        // Cannot fail: the span always has room for the longest long.
        Utf8Formatter.TryFormat(value, span[1..], out int digits);
        int written = 1 + digits;
        span[written++] = (byte)'\r';
        span[written++] = (byte)'\n';
        return written;
    }

    private static void WriteRaw(IBufferWriter<byte> writer, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(writer.GetSpan(bytes.Length));
        writer.Advance(bytes.Length);
    }

    private static void WriteChunked(IBufferWriter<byte> writer, ReadOnlySpan<byte> payload, bool sanitizeLineBreaks)
    {
        while (!payload.IsEmpty)
        {
            Span<byte> span = writer.GetSpan();
            int chunk = Math.Min(span.Length, payload.Length);
            Span<byte> destination = span[..chunk];
            payload[..chunk].CopyTo(destination);
            if (sanitizeLineBreaks)
            {
                ReplaceLineBreaks(destination);
            }

            writer.Advance(chunk);
            payload = payload[chunk..];
        }
    }

    private static void ReplaceLineBreaks(Span<byte> text)
    {
        text.Replace((byte)'\r', (byte)' ');
        text.Replace((byte)'\n', (byte)' ');
    }
}
