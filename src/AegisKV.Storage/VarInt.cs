namespace AegisKV.Storage;

/// <summary>
/// Unsigned varints as AegisKV's formats write them (WAL records, shard messages): 7 bits a byte, least
/// significant first, the high bit set on every byte but the last.
/// </summary>
public static class VarInt
{
    /// <summary>Bytes <paramref name="value"/> takes.</summary>
    public static int Size(ulong value)
    {
        var size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }

        return size;
    }

    /// <summary>Writes <paramref name="value"/> at the start of <paramref name="destination"/>; returns the bytes written.</summary>
    public static int Write(Span<byte> destination, ulong value)
    {
        var length = 0;
        while (value >= 0x80)
        {
            destination[length++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[length++] = (byte)value;
        return length;
    }

    /// <summary>Reads a varint at <paramref name="position"/>, moving past it; false when it is cut short or too long.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, scoped ref int position, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64 && position < source.Length; shift += 7)
        {
            var b = source[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return true;
        }

        return false;
    }
}
