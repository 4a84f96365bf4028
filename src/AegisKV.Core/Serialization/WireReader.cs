using System.Buffers.Binary;

namespace AegisKV.Core.Serialization;

/// <summary>Reads what <see cref="WireWriter"/> wrote; throws <see cref="FormatException"/> on short or bad input.</summary>
internal ref struct WireReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public WireReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    public readonly int Remaining => _data.Length - _position;

    public byte Byte() => Take(1)[0];

    public readonly byte Peek() => _position < _data.Length ? _data[_position] : throw new FormatException("unexpected end of data");

    public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    public long Int64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public ulong VarUInt()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = Byte();
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) return value;
        }

        throw new FormatException("varint too long");
    }

    public int Count()
    {
        var count = VarUInt();
        if (count > (ulong)(_data.Length - _position)) throw new FormatException("count larger than the remaining data");
        return (int)count;
    }

    // A position or length that is not a count of the bytes that follow (a list index).
    public int Index()
    {
        var value = VarUInt();
        if (value > int.MaxValue) throw new FormatException("index out of range");
        return (int)value;
    }

    public byte[] Bytes() => Take(Count()).ToArray();

    // The bytes Bytes would copy, valid for as long as the data read.
    public ReadOnlySpan<byte> Span() => Take(Count());

    private ReadOnlySpan<byte> Take(int length)
    {
        if (length > _data.Length - _position) throw new FormatException("unexpected end of data");
        var slice = _data.Slice(_position, length);
        _position += length;
        return slice;
    }
}
