using System.Buffers;
using Akka.Streams;
using Akka.Streams.Stage;
using AegisKV.Core.Replies;
using AegisKV.Server.Network;

namespace AegisKV.Server.Resp;

/// <summary>
/// Turns a connection's replies, in request order, into the bytes to write. It takes replies as
/// soon as they are ready and gathers them while the socket is busy, so one write carries all that
/// accumulated; what is gathered and not yet written is the client's output buffer, and a client
/// that lets it pass the limit is disconnected, as Redis does. A closing reply (QUIT, protocol
/// error) is the last: nothing after it is written. Replies are written in the connection's RESP
/// version, which a <see cref="ProtocolReply"/> (HELLO) changes from there on; pushed replies
/// (<see cref="ReplyPush"/>, e.g. MONITOR lines) go in between answers.
/// </summary>
internal sealed class ReplyWriter(long maxOutputBytes, ReplyPush? push = null) : GraphStage<FlowShape<Reply[], ReadOnlyMemory<byte>>>
{
    // A buffer grown past this for one large reply is dropped after use rather than kept by an idle connection.
    private const int KeptBufferSize = 64 * 1024;

    // A backlog is held in pieces of about this size, each written as it is: one growing buffer would be
    // copied again each time it doubled.
    private const int PieceSize = 1 << 20;

    private readonly long _maxOutputBytes = maxOutputBytes;
    private readonly ReplyPush? _push = push;
    private readonly Inlet<Reply[]> _in = new("replies.in");
    private readonly Outlet<ReadOnlyMemory<byte>> _out = new("replies.out");

    public override FlowShape<Reply[], ReadOnlyMemory<byte>> Shape => new(_in, _out);

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : InAndOutGraphStageLogic
    {
        private readonly ReplyWriter _stage;
        private readonly Queue<ReadOnlyMemory<byte>> _pieces = new();
        private long _piecesBytes;
        private ArrayBufferWriter<byte>? _buffer;
        private bool _last;
        private int _protocol = 2;

        public Logic(ReplyWriter stage) : base(stage.Shape)
        {
            _stage = stage;
            SetHandler(stage._in, this);
            SetHandler(stage._out, this);
        }

        public override void PreStart()
        {
            _stage._push?.Attach(GetAsyncCallback<Reply>(OnPushed));
            Pull(_stage._in);
        }

        public override void OnPush()
        {
            if (!Write(Grab(_stage._in))) return;
            if (IsAvailable(_stage._out)) Flush();
            if (_last) Cancel(_stage._in);
            else Pull(_stage._in);
        }

        private void OnPushed(Reply reply)
        {
            if (_last || !Write([reply])) return;
            if (IsAvailable(_stage._out)) Flush();
        }

        // False when the stage failed: the output buffer passed its limit.
        private bool Write(Reply[] replies)
        {
            var buffer = _buffer ??= new ArrayBufferWriter<byte>(256);
            try
            {
                foreach (var reply in replies)
                {
                    if (reply is ProtocolReply switched) _protocol = switched.Protocol;
                    reply.WriteTo(buffer, _protocol);
                    if (buffer.WrittenCount >= PieceSize)
                    {
                        Seal(buffer);
                        buffer = _buffer = new ArrayBufferWriter<byte>(256);
                    }

                    if (reply is ClosingReply)
                    {
                        _last = true;
                        break;
                    }
                }
            }
            catch (OutOfMemoryException)
            {
                // More than one buffer can hold (an MGET of several huge values): the output limit, however set.
                FailStage(new ClientLimitException("replies too large to buffer"));
                return false;
            }

            if (_piecesBytes + buffer.WrittenCount > _stage._maxOutputBytes)
            {
                FailStage(new ClientLimitException($"output buffer limit of {_stage._maxOutputBytes} bytes reached"));
                return false;
            }

            return true;
        }

        public override void OnUpstreamFinish()
        {
            _last = true;
            if (Drained) CompleteStage();
        }

        public override void OnPull()
        {
            Flush();
        }

        private void Flush()
        {
            if (_pieces.TryDequeue(out var piece))
            {
                _piecesBytes -= piece.Length;
                Push(_stage._out, piece);
            }
            else if (_buffer is { WrittenCount: > 0 } buffer)
            {
                if (buffer.Capacity > KeptBufferSize)
                {
                    Seal(buffer);
                    _buffer = null;
                    Flush();
                    return;
                }

                // One copy out of the kept buffer, which the socket writes from as it is.
                Push(_stage._out, (ReadOnlyMemory<byte>)buffer.WrittenSpan.ToArray());
                buffer.ResetWrittenCount();
            }

            if (_last && Drained) CompleteStage();
        }

        // Nothing is left to write.
        private bool Drained => _pieces.Count == 0 && _buffer is not { WrittenCount: > 0 };

        // Queues what the buffer holds as a piece that wraps its array, with no copy; the buffer is not used again.
        private void Seal(ArrayBufferWriter<byte> buffer)
        {
            var written = buffer.WrittenMemory;
            _pieces.Enqueue(written);
            _piecesBytes += written.Length;
        }
    }
}
