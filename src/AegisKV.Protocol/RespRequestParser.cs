using System.Buffers;

namespace AegisKV.Protocol;

/// <summary>
/// Reads one connection's requests as <see cref="RespReader.TryReadRequest(ReadOnlySpan{byte}, RespLimits, out byte[][], out int)"/>
/// does, but remembers how far it got into a request that is not complete yet: fed the same bytes
/// plus more, it goes on where it stopped, so a large array arriving in many reads costs time in
/// proportion to its size, not to its size squared. Not thread-safe; one per connection.
/// </summary>
public sealed class RespRequestParser : IDisposable
{
    private readonly RespLimits _limits;
    private MultibulkProgress _progress = new(ArrayPool<int>.Shared.Rent(RespReader.InitialBoundsSlots));

    /// <summary>Creates a parser that enforces <paramref name="limits"/>.</summary>
    public RespRequestParser(RespLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        _limits = limits;
    }

    /// <summary>
    /// Reads one request from the start of <paramref name="buffer"/>. After a <c>false</c>, the next
    /// call must pass the same bytes from the same first byte, with more after them.
    /// </summary>
    /// <exception cref="RespProtocolException">The buffer starts with malformed input.</exception>
    public bool TryRead(ReadOnlySpan<byte> buffer, out byte[][] arguments, out int consumed) =>
        RespReader.TryReadRequest(buffer, _limits, ref _progress, out arguments, out consumed);

    /// <summary>Returns the pooled element storage.</summary>
    public void Dispose()
    {
        if (_progress.Bounds.Length == 0) return;
        ArrayPool<int>.Shared.Return(_progress.Bounds);
        _progress = new MultibulkProgress([]);
    }
}
