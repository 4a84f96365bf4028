namespace AegisKV.Core.State;

/// <summary>
/// Redis glob matching for KEYS and SCAN MATCH: <c>*</c>, <c>?</c>, <c>[abc]</c>, <c>[^a]</c>,
/// <c>[a-z]</c> and <c>\</c> escapes, over raw bytes.
/// </summary>
public static class GlobPattern
{
    /// <summary>True when <paramref name="text"/> matches <paramref name="pattern"/>.</summary>
    public static bool IsMatch(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> text)
    {
        int p = 0, t = 0, starP = -1, starT = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length)
            {
                var c = pattern[p];
                if (c == (byte)'*')
                {
                    starP = ++p;
                    starT = t;
                    continue;
                }

                if (c == (byte)'?')
                {
                    p++;
                    t++;
                    continue;
                }

                if (c == (byte)'[')
                {
                    if (MatchClass(pattern, ref p, text[t]))
                    {
                        t++;
                        continue;
                    }
                }
                else
                {
                    if (c == (byte)'\\' && p + 1 < pattern.Length) c = pattern[++p];
                    if (c == text[t])
                    {
                        p++;
                        t++;
                        continue;
                    }
                }
            }

            // Mismatch: let the last '*' swallow one more byte, or fail.
            if (starP < 0) return false;
            p = starP;
            t = ++starT;
        }

        while (p < pattern.Length && pattern[p] == (byte)'*') p++;
        return p == pattern.Length;
    }

    // On entry pattern[p] is '['; on a match p moves past the closing ']'.
    private static bool MatchClass(ReadOnlySpan<byte> pattern, ref int p, byte value)
    {
        var i = p + 1;
        var negate = i < pattern.Length && pattern[i] == (byte)'^';
        if (negate) i++;
        var matched = false;
        while (i < pattern.Length && pattern[i] != (byte)']')
        {
            if (pattern[i] == (byte)'\\' && i + 1 < pattern.Length)
            {
                if (pattern[++i] == value) matched = true;
            }
            else if (i + 2 < pattern.Length && pattern[i + 1] == (byte)'-' && pattern[i + 2] != (byte)']')
            {
                var (low, high) = pattern[i] <= pattern[i + 2] ? (pattern[i], pattern[i + 2]) : (pattern[i + 2], pattern[i]);
                if (value >= low && value <= high) matched = true;
                i += 2;
            }
            else if (pattern[i] == value)
            {
                matched = true;
            }

            i++;
        }

        // An unterminated class ends at the end of the pattern, as in Redis.
        if (negate) matched = !matched;
        if (!matched) return false;
        p = i < pattern.Length ? i + 1 : i;
        return true;
    }
}
