using System.Buffers.Text;

namespace AegisKV.Core.State;

/// <summary>
/// Integers as Redis reads and writes them: optional '-', decimal digits, no '+', no spaces,
/// no leading zeros, within 64 bits (Redis's string2ll).
/// </summary>
public static class IntegerText
{
    /// <summary>Parses <paramref name="text"/> strictly; false when it is not a canonical 64-bit integer.</summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        if (text.Length is 0 or > 20) return false;
        var digits = text[0] == (byte)'-' ? text[1..] : text;
        if (digits.Length == 0 || digits[0] is < (byte)'0' or > (byte)'9') return false;
        if (digits[0] == (byte)'0' && (digits.Length > 1 || digits.Length != text.Length)) return false;
        return Utf8Parser.TryParse(text, out value, out var consumed) && consumed == text.Length;
    }

    /// <summary>The decimal text of <paramref name="value"/>.</summary>
    public static byte[] Format(long value)
    {
        Span<byte> buffer = stackalloc byte[20];
        Utf8Formatter.TryFormat(value, buffer, out var written);
        return buffer[..written].ToArray();
    }
}
