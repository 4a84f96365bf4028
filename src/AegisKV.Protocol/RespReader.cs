using System.Buffers;

namespace AegisKV.Protocol;

/// <summary>
/// Parses client requests in the two forms Redis accepts: RESP arrays of bulk strings and inline
/// command lines. Follows a try-read contract: <c>false</c> means "need more bytes", malformed input
/// throws <see cref="RespProtocolException"/>.
/// </summary>
public static class RespReader
{
    // Redis's PROTO_INLINE_MAX_SIZE also bounds the "*<n>" and "$<len>" lines. It is fixed rather than
    // taken from RespLimits.MaxInlineLength so that a small inline limit cannot break RESP requests.
    private const int MaxHeaderLineLength = 64 * 1024;

    // Element bounds (start, length) of a typical request fit without growing.
    internal const int InitialBoundsSlots = 64;

    private const string InvalidMultibulkLength = "invalid multibulk length";
    private const string InvalidBulkLength = "invalid bulk length";
    private const string InvalidBulkTerminator = "invalid bulk terminator";
    private const string TooBigMultibulkCount = "too big mbulk count string";
    private const string TooBigBulkCount = "too big bulk count string";
    private const string TooBigInlineRequest = "too big inline request";

    /// <summary>
    /// Reads one complete client request from the start of <paramref name="buffer"/>: either a RESP array of
    /// bulk strings (<c>*2\r\n$3\r\nGET\r\n$1\r\nk\r\n</c>) or an inline command line terminated by "\n" or
    /// "\r\n" (<c>SET k v\r\n</c>).
    /// </summary>
    /// <param name="buffer">Bytes received so far; may hold a partial request or several pipelined ones.</param>
    /// <param name="limits">Size limits to enforce.</param>
    /// <param name="arguments">
    /// The request's arguments, one freshly allocated array per argument. Empty when the method returns
    /// <c>false</c>, and also for input Redis silently skips (a blank inline line, <c>*0\r\n</c>, <c>*-1\r\n</c>).
    /// </param>
    /// <param name="consumed">Bytes the request occupied; 0 when the method returns <c>false</c>.</param>
    /// <returns>
    /// <c>true</c> when a whole request was read; <c>false</c> when the buffer does not hold one yet. Nothing is
    /// allocated for a claimed length until that many bytes are actually in the buffer.
    /// </returns>
    /// <exception cref="RespProtocolException">The buffer starts with malformed input.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="limits"/> is null.</exception>
    public static bool TryReadRequest(ReadOnlySpan<byte> buffer, RespLimits limits, out byte[][] arguments, out int consumed)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var progress = new MultibulkProgress(ArrayPool<int>.Shared.Rent(InitialBoundsSlots));
        try
        {
            return TryReadRequest(buffer, limits, ref progress, out arguments, out consumed);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(progress.Bounds);
        }
    }

    /// <summary>
    /// The resumable form behind <see cref="RespRequestParser"/>: a RESP array read only in part is
    /// remembered in <paramref name="progress"/>, so the next call, on the same bytes plus more, goes
    /// on from the first element not yet complete instead of parsing them all again.
    /// </summary>
    internal static bool TryReadRequest(ReadOnlySpan<byte> buffer, RespLimits limits, ref MultibulkProgress progress, out byte[][] arguments, out int consumed)
    {
        arguments = [];
        consumed = 0;
        if (buffer.IsEmpty)
        {
            return false;
        }

        // Like Redis, only a leading '*' selects RESP; anything else is an inline command.
        if (buffer[0] != (byte)'*')
        {
            return TryReadInline(buffer, limits, ref arguments, ref consumed);
        }

        try
        {
            if (TryReadMultibulk(buffer, limits, ref progress, ref arguments, ref consumed))
            {
                progress.Reset();
                return true;
            }

            return false;
        }
        catch (RespProtocolException)
        {
            progress.Reset();
            throw;
        }
    }

    private static bool TryReadMultibulk(ReadOnlySpan<byte> buffer, RespLimits limits, ref MultibulkProgress progress, ref byte[][] arguments, ref int consumed)
    {
        if (progress.Count == 0)
        {
            int countEnd = FindHeaderLineEnd(buffer, 0, TooBigMultibulkCount);
            if (countEnd < 0)
            {
                return false;
            }

            if (!TryParseInt64(buffer[1..countEnd], out long count) || count > int.MaxValue || buffer[countEnd + 1] != (byte)'\n')
            {
                throw new RespProtocolException(InvalidMultibulkLength);
            }

            if (count <= 0)
            {
                // Redis skips "*0" and negative counts without replying.
                consumed = countEnd + 2;
                return true;
            }

            if (count > limits.MaxArrayLength)
            {
                throw new RespProtocolException(InvalidMultibulkLength);
            }

            progress.Count = (int)count;
            progress.Position = countEnd + 2;
        }

        // Record where each element lies and copy only once the whole request is known to be present,
        // so a request trickling in costs no copying until it is complete. The bounds storage grows with
        // elements actually seen, never with the claimed count.
        int position = progress.Position;
        for (int index = progress.Index; index < progress.Count; index++)
        {
            if (position >= buffer.Length)
            {
                return false;
            }

            // Checked as soon as the byte is here, so garbage fails fast instead of after 64 KiB.
            byte marker = buffer[position];
            if (marker != (byte)'$')
            {
                throw new RespProtocolException($"expected '$', got '{(char)marker}'");
            }

            int lengthEnd = FindHeaderLineEnd(buffer, position, TooBigBulkCount);
            if (lengthEnd < 0)
            {
                return false;
            }

            if (!TryParseInt64(buffer[(position + 1)..lengthEnd], out long length)
                || length < 0
                || length > limits.MaxBulkLength
                || buffer[lengthEnd + 1] != (byte)'\n')
            {
                throw new RespProtocolException(InvalidBulkLength);
            }

            int dataStart = lengthEnd + 2;
            long available = buffer.Length - dataStart;
            if (available < length + 2)
            {
                // A wrong byte where "\r" belongs already proves the frame bad.
                if (available > length && buffer[dataStart + (int)length] != (byte)'\r')
                {
                    throw new RespProtocolException(InvalidBulkTerminator);
                }

                return false;
            }

            int dataEnd = dataStart + (int)length;
            if (buffer[dataEnd] != (byte)'\r' || buffer[dataEnd + 1] != (byte)'\n')
            {
                throw new RespProtocolException(InvalidBulkTerminator);
            }

            progress.Add(dataStart, (int)length);
            position = dataEnd + 2;
            progress.Position = position;
        }

        var result = new byte[progress.Count][];
        int[] bounds = progress.Bounds;
        for (int index = 0; index < result.Length; index++)
        {
            result[index] = buffer.Slice(bounds[2 * index], bounds[2 * index + 1]).ToArray();
        }

        arguments = result;
        consumed = position;
        return true;
    }

    /// <summary>
    /// Finds the "\r" ending the header line that starts at <paramref name="start"/>. Returns -1 when more
    /// bytes are needed (including when the "\r" is the last byte so far). Only the first 64 KiB + 1 bytes
    /// are searched, keeping a hostile header from making every call rescan a growing buffer.
    /// </summary>
    private static int FindHeaderLineEnd(ReadOnlySpan<byte> buffer, int start, string tooBigMessage)
    {
        ReadOnlySpan<byte> rest = buffer[start..];
        int carriageReturn = rest[..Math.Min(rest.Length, MaxHeaderLineLength + 1)].IndexOf((byte)'\r');
        if (carriageReturn < 0)
        {
            if (rest.Length > MaxHeaderLineLength)
            {
                throw new RespProtocolException(tooBigMessage);
            }

            return -1;
        }

        return carriageReturn + 1 < rest.Length ? start + carriageReturn : -1;
    }

    private static bool TryReadInline(ReadOnlySpan<byte> buffer, RespLimits limits, ref byte[][] arguments, ref int consumed)
    {
        // Searching at most MaxInlineLength + 2 bytes covers the longest legal line plus its "\r\n".
        long maxLine = limits.MaxInlineLength;
        int newline = buffer[..(int)Math.Min(buffer.Length, maxLine + 2)].IndexOf((byte)'\n');
        if (newline < 0)
        {
            // Reject as soon as the line is certain to be too long, whatever the final chunking, so a
            // request never succeeds or fails depending on how TCP split it. A final "\r" may still
            // belong to the terminator.
            if (buffer.Length > maxLine + 1 || (buffer.Length == maxLine + 1 && buffer[^1] != (byte)'\r'))
            {
                throw new RespProtocolException(TooBigInlineRequest);
            }

            return false;
        }

        int lineLength = newline > 0 && buffer[newline - 1] == (byte)'\r' ? newline - 1 : newline;
        if (lineLength > maxLine)
        {
            throw new RespProtocolException(TooBigInlineRequest);
        }

        arguments = InlineArgumentSplitter.Split(buffer[..lineLength]);
        consumed = newline + 1;
        return true;
    }

    /// <summary>
    /// Parses a decimal integer exactly as Redis's <c>string2ll</c> does: optional '-', no '+', no leading
    /// zeros, no "-0", no whitespace, and no overflow.
    /// </summary>
    private static bool TryParseInt64(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        if (text.IsEmpty)
        {
            return false;
        }

        if (text.Length == 1 && text[0] == (byte)'0')
        {
            return true;
        }

        bool negative = text[0] == (byte)'-';
        int index = negative ? 1 : 0;
        if (index == text.Length || text[index] < (byte)'1' || text[index] > (byte)'9')
        {
            return false;
        }

        ulong magnitude = 0;
        for (; index < text.Length; index++)
        {
            uint digit = (uint)(text[index] - '0');
            if (digit > 9 || magnitude > (ulong.MaxValue - digit) / 10)
            {
                return false;
            }

            magnitude = magnitude * 10 + digit;
        }

        // long.MinValue's magnitude is one more than long.MaxValue.
        if (magnitude > (negative ? (ulong)long.MaxValue + 1 : (ulong)long.MaxValue))
        {
            return false;
        }

        value = negative ? unchecked((long)(0UL - magnitude)) : (long)magnitude;
        return true;
    }
}
