using Akka.IO;
using AegisKV.Protocol;

namespace AegisKV.Server.Resp;

/// <summary>
/// Cuts one connection's byte stream into requests. Bytes are kept in one growing buffer until
/// a whole request is there; the reader never allocates for a claimed length before its bytes arrive.
/// </summary>
internal sealed class RequestFramer
{
    private readonly RespLimits _limits;
    private byte[] _buffer = new byte[4096];
    private int _start;
    private int _end;
    private bool _failed;

    public RequestFramer(RespLimits limits) => _limits = limits;

    /// <summary>Adds a chunk and returns the requests it completes; a protocol error is last and ends the stream.</summary>
    public IReadOnlyList<Incoming> Feed(ByteString chunk)
    {
        if (_failed) return [];
        Append(chunk);
        List<Incoming>? requests = null;
        while (_start < _end)
        {
            byte[][] arguments;
            int consumed;
            try
            {
                if (!RespReader.TryReadRequest(_buffer.AsSpan(_start, _end - _start), _limits, out arguments, out consumed)) break;
            }
            catch (RespProtocolException e)
            {
                _failed = true;
                (requests ??= []).Add(new Incoming(null, e.Message));
                break;
            }

            _start += consumed;
            if (arguments.Length > 0) (requests ??= []).Add(new Incoming(arguments, null));
        }

        if (_start == _end)
        {
            _start = _end = 0;
            // One huge request must not pin its buffer for the life of the connection.
            if (_buffer.Length > 1 << 20) _buffer = new byte[4096];
        }
        return requests ?? (IReadOnlyList<Incoming>)[];
    }

    private void Append(ByteString chunk)
    {
        var count = chunk.Count;
        if (_end + count > _buffer.Length)
        {
            var live = _end - _start;
            if (live + count <= _buffer.Length && _start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, live);
            }
            else
            {
                var bigger = new byte[Math.Max(_buffer.Length * 2, live + count)];
                Buffer.BlockCopy(_buffer, _start, bigger, 0, live);
                _buffer = bigger;
            }

            _start = 0;
            _end = live;
        }

        // ByteString.CopyTo(Span) is broken in this Akka version: copy through the array overload.
        chunk.CopyTo(_buffer, _end, count);
        _end += count;
    }
}
