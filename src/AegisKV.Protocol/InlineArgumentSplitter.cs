using System.Buffers;

namespace AegisKV.Protocol;

/// <summary>
/// Splits an inline command line into arguments with the rules of Redis's <c>sdssplitargs</c>.
/// </summary>
internal static class InlineArgumentSplitter
{
    private const string UnbalancedQuotes = "unbalanced quotes in request";

    // Lines up to this size decode on the stack; longer ones rent a buffer.
    private const int StackScratchBytes = 256;

    /// <summary>
    /// Splits <paramref name="line"/> (without its line terminator) into freshly allocated arguments.
    /// Returns an empty array for a blank line.
    /// </summary>
    /// <exception cref="RespProtocolException">A quote is unterminated or not followed by whitespace.</exception>
    public static byte[][] Split(ReadOnlySpan<byte> line)
    {
        // A decoded argument is never longer than the line, so one scratch buffer fits every argument.
        byte[]? rented = null;
        Span<byte> scratch = line.Length <= StackScratchBytes
            ? stackalloc byte[StackScratchBytes]
            : (rented = ArrayPool<byte>.Shared.Rent(line.Length));
        byte[][]? arguments = null;
        int count = 0;
        try
        {
            int position = 0;
            while (true)
            {
                while (IsSpace(At(line, position)))
                {
                    position++;
                }

                // Like the C original, a NUL byte ends the line just as the real end does.
                if (At(line, position) == 0)
                {
                    break;
                }

                int length = ReadArgument(line, ref position, scratch);
                if (arguments is null)
                {
                    arguments = new byte[4][];
                }
                else if (count == arguments.Length)
                {
                    Array.Resize(ref arguments, count * 2);
                }

                arguments[count++] = scratch[..length].ToArray();
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        if (arguments is null)
        {
            return [];
        }

        if (count != arguments.Length)
        {
            Array.Resize(ref arguments, count);
        }

        return arguments;
    }

    /// <summary>
    /// Decodes the argument starting at <paramref name="position"/> into <paramref name="scratch"/>, leaving
    /// <paramref name="position"/> just past it. Returns the decoded length.
    /// </summary>
    private static int ReadArgument(ReadOnlySpan<byte> line, ref int position, Span<byte> scratch)
    {
        int length = 0;
        bool inDoubleQuotes = false;
        bool inSingleQuotes = false;
        while (true)
        {
            byte current = At(line, position);
            if (inDoubleQuotes)
            {
                if (current == (byte)'\\' && At(line, position + 1) == (byte)'x'
                    && IsHexDigit(At(line, position + 2)) && IsHexDigit(At(line, position + 3)))
                {
                    scratch[length++] = (byte)((HexValue(At(line, position + 2)) << 4) | HexValue(At(line, position + 3)));
                    position += 4;
                }
                else if (current == (byte)'\\' && At(line, position + 1) != 0)
                {
                    scratch[length++] = Unescape(At(line, position + 1));
                    position += 2;
                }
                else if (current == (byte)'"')
                {
                    position++;
                    RequireSeparatorAt(line, position);
                    return length;
                }
                else if (current == 0)
                {
                    throw new RespProtocolException(UnbalancedQuotes);
                }
                else
                {
                    scratch[length++] = current;
                    position++;
                }
            }
            else if (inSingleQuotes)
            {
                // Only \' is an escape here; any other backslash is literal.
                if (current == (byte)'\\' && At(line, position + 1) == (byte)'\'')
                {
                    scratch[length++] = (byte)'\'';
                    position += 2;
                }
                else if (current == (byte)'\'')
                {
                    position++;
                    RequireSeparatorAt(line, position);
                    return length;
                }
                else if (current == 0)
                {
                    throw new RespProtocolException(UnbalancedQuotes);
                }
                else
                {
                    scratch[length++] = current;
                    position++;
                }
            }
            else
            {
                switch (current)
                {
                    // sdssplitargs ends a bare word on these only; '\v' and '\f' stay inside it even though
                    // they count as whitespace between arguments.
                    case (byte)' ':
                    case (byte)'\n':
                    case (byte)'\r':
                    case (byte)'\t':
                    case 0:
                        return length;
                    case (byte)'"':
                        inDoubleQuotes = true;
                        position++;
                        break;
                    case (byte)'\'':
                        inSingleQuotes = true;
                        position++;
                        break;
                    default:
                        scratch[length++] = current;
                        position++;
                        break;
                }
            }
        }
    }

    /// <summary>A closing quote must be followed by whitespace or the end of the line.</summary>
    private static void RequireSeparatorAt(ReadOnlySpan<byte> line, int position)
    {
        byte next = At(line, position);
        if (next != 0 && !IsSpace(next))
        {
            throw new RespProtocolException(UnbalancedQuotes);
        }
    }

    /// <summary>The byte at <paramref name="index"/>, or 0 past the end, matching C's NUL terminator.</summary>
    private static byte At(ReadOnlySpan<byte> line, int index) =>
        (uint)index < (uint)line.Length ? line[index] : (byte)0;

    /// <summary>C's <c>isspace</c> in the "C" locale.</summary>
    private static bool IsSpace(byte value) =>
        value == (byte)' ' || (value >= (byte)'\t' && value <= (byte)'\r');

    private static bool IsHexDigit(byte value) => HexValue(value) >= 0;

    private static int HexValue(byte value) => value switch
    {
        >= (byte)'0' and <= (byte)'9' => value - '0',
        >= (byte)'a' and <= (byte)'f' => value - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => value - 'A' + 10,
        _ => -1,
    };

    private static byte Unescape(byte value) => value switch
    {
        (byte)'n' => (byte)'\n',
        (byte)'r' => (byte)'\r',
        (byte)'t' => (byte)'\t',
        (byte)'b' => (byte)'\b',
        (byte)'a' => (byte)'\a',
        _ => value,
    };
}
