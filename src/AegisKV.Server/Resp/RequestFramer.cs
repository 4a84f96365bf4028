using AegisKV.Protocol;
using AegisKV.Server.Network;

namespace AegisKV.Server.Resp;

/// <summary>
/// Cuts one connection's byte stream into requests. Bytes are kept in one growing buffer until a
/// whole request is there; the reader never allocates for a claimed length before its bytes arrive,
/// and goes on where it stopped, so a large request costs time in proportion to its size. The bytes
/// held count against the client's query buffer limit and the node's request budget.
/// </summary>
internal sealed class RequestFramer : IDisposable
{
    private const int InitialBufferSize = 4096;

    private readonly RespRequestParser _parser;
    private readonly RequestBudget _budget;
    private readonly long _maxQueryBuffer;
    private readonly List<Incoming> _requests = [];
    private byte[] _buffer = [];
    private int _start;
    private int _end;
    private long _taken;
    private bool _failed;

    public RequestFramer(RespLimits limits, long maxQueryBuffer, RequestBudget budget)
    {
        _parser = new RespRequestParser(limits);
        _maxQueryBuffer = maxQueryBuffer;
        _budget = budget;
    }

    /// <summary>Adds a chunk and returns the requests it completes; a protocol error is last and ends the stream.</summary>
    public IReadOnlyList<Incoming> Feed(ReadOnlyMemory<byte> chunk)
    {
        if (_failed) return [];
        var limit = Hold(_end - _start + chunk.Length);
        if (limit is not null) return Fail(limit);

        Append(chunk.Span);
        var requests = _requests;
        while (_start < _end)
        {
            byte[][] arguments;
            int consumed;
            try
            {
                if (!_parser.TryRead(_buffer.AsSpan(_start, _end - _start), out arguments, out consumed)) break;
            }
            catch (RespProtocolException e)
            {
                requests.AddRange(Fail("ERR Protocol error: " + e.Message));
                break;
            }

            _start += consumed;
            if (arguments.Length > 0) requests.Add(new Incoming(arguments, null));
        }

        if (_start == _end)
        {
            _start = _end = 0;
            // An idle connection keeps no buffer, and one huge request does not pin its buffer.
            if (_buffer.Length > InitialBufferSize) _buffer = [];
        }

        Hold(_end - _start);
        if (requests.Count == 0) return [];
        // The batch goes on while the next chunk is read: it gets an array of its own, exactly its size.
        var batch = requests.ToArray();
        requests.Clear();
        return batch;
    }

    /// <summary>Gives the bytes held back to the node's budget.</summary>
    public void Dispose()
    {
        _budget.Release(_taken);
        _taken = 0;
        _parser.Dispose();
    }

    // Accounts for holding `bytes` of incomplete requests; returns the limit that forbids it, if any.
    private string? Hold(long bytes)
    {
        if (bytes > _maxQueryBuffer) return $"ERR client query buffer limit of {_maxQueryBuffer} bytes reached";
        var more = bytes - _taken;
        if (more > 0 && !_budget.TryTake(more)) return $"ERR node request buffer limit of {_budget.Capacity} bytes reached";
        if (more < 0) _budget.Release(-more);
        _taken = bytes;
        return null;
    }

    private Incoming[] Fail(string error)
    {
        _failed = true;
        _start = _end = 0;
        _buffer = [];
        Hold(0);
        return [new Incoming(null, error)];
    }

    private void Append(ReadOnlySpan<byte> chunk)
    {
        var count = chunk.Length;
        if (_end + count > _buffer.Length)
        {
            var live = _end - _start;
            if (live + count <= _buffer.Length && _start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, live);
            }
            else
            {
                var bigger = new byte[Math.Max(Math.Max(_buffer.Length * 2, InitialBufferSize), live + count)];
                Buffer.BlockCopy(_buffer, _start, bigger, 0, live);
                _buffer = bigger;
            }

            _start = 0;
            _end = live;
        }

        chunk.CopyTo(_buffer.AsSpan(_end));
        _end += count;
    }
}
