using System.Buffers.Binary;
using System.Text;

namespace AegisKV.Storage;

/// <summary>Sequential little-endian writer over a span sized up front.</summary>
internal ref struct SpanWriter
{
    private readonly Span<byte> _span;
    private int _position;

    public SpanWriter(Span<byte> span)
    {
        _span = span;
        _position = 0;
    }

    public void WritePrefix(WalRecordType type, byte flags, long sequenceNr, long epoch)
    {
        _span[_position] = (byte)type;
        _span[_position + 1] = flags;
        _span[_position + 2] = 0;
        _span[_position + 3] = 0;
        _position += 4;
        WriteInt64(sequenceNr);
        WriteInt64(epoch);
    }

    public void WriteInt64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(_span[_position..], value);
        _position += 8;
    }

    public void WriteInt32(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(_span[_position..], value);
        _position += 4;
    }

    /// <summary>Writes a u16 byte count and the UTF-8 bytes; <paramref name="byteCount"/> was computed by the caller.</summary>
    public void WriteString(string value, int byteCount)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(_span[_position..], (ushort)byteCount);
        _position += 2;
        _position += Encoding.UTF8.GetBytes(value, _span.Slice(_position, byteCount));
    }

    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        value.CopyTo(_span[_position..]);
        _position += value.Length;
    }
}
