using System.Buffers.Binary;
using AegisKV.Storage;

namespace AegisKV.Core.Serialization;

/// <summary>
/// Appends little-endian integers, varints and length-prefixed byte strings to a growing buffer, or, given a
/// stream, through a small buffer to that stream (a shard snapshot is written so, never held whole).
/// </summary>
internal sealed class WireWriter
{
    // Below the large-object heap's threshold, so writing a snapshot leaves nothing there.
    private const int StreamBufferSize = 64 * 1024;

    private readonly Stream? _sink;
    private byte[] _buffer;
    private int _length;

    public WireWriter(int capacity) => _buffer = new byte[Math.Max(16, capacity)];

    public WireWriter(Stream sink)
    {
        _sink = sink;
        _buffer = new byte[StreamBufferSize];
    }

    public void Byte(byte value)
    {
        Ensure(1);
        _buffer[_length++] = value;
    }

    public void Int32(int value)
    {
        Ensure(4);
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(_length), value);
        _length += 4;
    }

    public void Int64(long value)
    {
        Ensure(8);
        BinaryPrimitives.WriteInt64LittleEndian(_buffer.AsSpan(_length), value);
        _length += 8;
    }

    public void VarUInt(ulong value)
    {
        Ensure(VarInt.Size(value));
        _length += VarInt.Write(_buffer.AsSpan(_length), value);
    }

    public void Bytes(ReadOnlySpan<byte> value)
    {
        VarUInt((ulong)value.Length);
        Raw(value);
    }

    public void Raw(ReadOnlySpan<byte> value)
    {
        if (_sink is not null && value.Length > _buffer.Length - _length)
        {
            Flush();
            if (value.Length >= _buffer.Length)
            {
                _sink.Write(value);
                return;
            }
        }

        Ensure(value.Length);
        value.CopyTo(_buffer.AsSpan(_length));
        _length += value.Length;
    }

    /// <summary>Writes what is buffered to the stream.</summary>
    public void Flush()
    {
        if (_length == 0) return;
        _sink!.Write(_buffer.AsSpan(0, _length));
        _length = 0;
    }

    /// <summary>The bytes written; the buffer itself when it was sized exactly, so a large payload is not copied.</summary>
    public byte[] ToArray() => _length == _buffer.Length ? _buffer : _buffer.AsSpan(0, _length).ToArray();

    /// <summary>The bytes written, in the writer's own buffer.</summary>
    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    /// <summary>Bytes the buffer holds before it grows.</summary>
    public int Capacity => _buffer.Length;

    /// <summary>Starts over in the same buffer.</summary>
    public void Reset() => _length = 0;

    /// <summary>Bytes a length-prefixed byte string of <paramref name="length"/> takes.</summary>
    public static long BytesSize(int length) => VarInt.Size((ulong)length) + length;

    private void Ensure(int extra)
    {
        if (_length + extra <= _buffer.Length) return;
        if (_sink is not null)
        {
            Flush(); // callers other than Raw ask for a few bytes only
            return;
        }

        Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + extra));
    }
}
