namespace AegisKV.Storage;

/// <summary>Growable byte buffer over the WAL's pooled arrays (<see cref="WalBuffers"/>); one per journal write request.</summary>
internal sealed class PooledBuffer : IDisposable
{
    private byte[] _array;

    public PooledBuffer(int initialCapacity) => _array = WalBuffers.RentBytes(Math.Max(initialCapacity, 256));

    public int Length { get; private set; }

    public byte[] Array => _array;

    /// <summary>Appends <paramref name="size"/> bytes and returns them for the caller to fill.</summary>
    public Span<byte> Reserve(int size)
    {
        var needed = Length + size;
        if (needed > _array.Length)
        {
            var bigger = WalBuffers.RentBytes(Math.Max(needed, _array.Length * 2));
            _array.AsSpan(0, Length).CopyTo(bigger);
            WalBuffers.Return(_array);
            _array = bigger;
        }
        var span = _array.AsSpan(Length, size);
        Length = needed;
        return span;
    }

    /// <summary>Drops everything after <paramref name="length"/> (used when one atomic write is rejected).</summary>
    public void Rewind(int length) => Length = length;

    public void Dispose()
    {
        var array = _array;
        _array = [];
        Length = 0;
        if (array.Length > 0)
            WalBuffers.Return(array);
    }
}
