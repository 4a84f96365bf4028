using System.Buffers.Binary;

namespace AegisKV.Storage;

/// <summary>Bounds-checked little-endian reader; every read reports failure instead of throwing.</summary>
internal ref struct SpanReader
{
    private readonly ReadOnlySpan<byte> _span;
    private int _position;

    public SpanReader(ReadOnlySpan<byte> span)
    {
        _span = span;
        _position = 0;
    }

    public readonly bool AtEnd => _position == _span.Length;

    public bool TryReadInt64(out long value)
    {
        if (_span.Length - _position < 8)
        {
            value = 0;
            return false;
        }
        value = BinaryPrimitives.ReadInt64LittleEndian(_span[_position..]);
        _position += 8;
        return true;
    }

    public bool TryReadInt32(out int value)
    {
        if (_span.Length - _position < 4)
        {
            value = 0;
            return false;
        }
        value = BinaryPrimitives.ReadInt32LittleEndian(_span[_position..]);
        _position += 4;
        return true;
    }

    public bool TryReadString(out ReadOnlySpan<byte> utf8)
    {
        utf8 = default;
        if (_span.Length - _position < 2)
            return false;
        int length = BinaryPrimitives.ReadUInt16LittleEndian(_span[_position..]);
        _position += 2;
        return TryReadBytes(length, out utf8);
    }

    public bool TryReadBytes(int length, out ReadOnlySpan<byte> bytes)
    {
        if (length < 0 || _span.Length - _position < length)
        {
            bytes = default;
            return false;
        }
        bytes = _span.Slice(_position, length);
        _position += length;
        return true;
    }
}
