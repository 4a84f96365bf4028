using System.Globalization;
using System.IO.Hashing;
using System.Text;

namespace AegisKV.Storage;

/// <summary>
/// Maps a persistence id to a safe, unique directory name: letters, digits, '-' and '_' stay, every other
/// UTF-8 byte becomes %XX. Very long ids keep a prefix plus an XxHash64 of the whole id; the id stored in
/// each snapshot file is checked on load, so a (theoretical) hash collision cannot serve another id's data.
/// </summary>
internal static class PersistenceIdEscaper
{
    private const int MaxLength = 200;

    public static string Escape(string persistenceId)
    {
        var builder = new StringBuilder(persistenceId.Length + 8);
        foreach (var b in Encoding.UTF8.GetBytes(persistenceId))
        {
            if (b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9') or (byte)'-' or (byte)'_')
                builder.Append((char)b);
            else
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        if (builder.Length == 0)
            return "%";
        if (builder.Length <= MaxLength)
            return builder.ToString();
        var hash = XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(persistenceId));
        return builder.ToString(0, MaxLength - 17) + "~" + hash.ToString("x16", CultureInfo.InvariantCulture);
    }
}
