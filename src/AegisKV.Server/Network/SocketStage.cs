using System.Buffers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Akka.Streams;
using Akka.Streams.Stage;
using Microsoft.Extensions.Logging;

namespace AegisKV.Server.Network;

/// <summary>
/// One accepted socket as a flow: bytes read from the client come out, bytes pushed in are written
/// to it. Reads happen only on demand (back-pressure reaches the client's TCP window), and an idle
/// connection holds no read buffer: it waits for data with a zero-byte receive first. When the
/// protocol side is done (QUIT, protocol error, drain, end of input) the replies already pushed are
/// written, the write side is shut down, and the socket is closed after a short linger that reads
/// and discards what the client still sends, so it sees every reply rather than a reset.
/// </summary>
internal sealed class SocketStage : GraphStage<FlowShape<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>>>
{
    private const int ReadBufferSize = 16 * 1024;

    // What a reply the socket cannot take at once is sent through, a piece at a time.
    private const int SendChunkSize = 64 * 1024;

    // After the node stops taking requests, at most this much more is read and dropped, for at most LingerTime.
    private const int DiscardLimit = 1 << 20;
    private static readonly TimeSpan LingerTime = TimeSpan.FromSeconds(2);

    private readonly ClientConnection _connection;
    private readonly ILogger _log;

    public SocketStage(ClientConnection connection, ILogger log)
    {
        _connection = connection;
        _log = log;
    }

    public Inlet<ReadOnlyMemory<byte>> In { get; } = new("socket.write");

    public Outlet<ReadOnlyMemory<byte>> Out { get; } = new("socket.read");

    public override FlowShape<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>> Shape => new(In, Out);

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : TimerGraphStageLogic
    {
        private readonly SocketStage _stage;
        private readonly Socket _socket;
        private readonly ClientIo _io;
        private readonly Action _receiveDone;
        private readonly Action _sendDone;
        private Action? _onReceived;
        private Action? _onSent;
        private ConfiguredValueTaskAwaitable<int>.ConfiguredValueTaskAwaiter _receive;
        private ConfiguredValueTaskAwaitable<int>.ConfiguredValueTaskAwaiter _send;
        private byte[]? _readBuffer;
        private ReadOnlyMemory<byte> _pending;
        private int _pendingOffset;
        private byte[]? _chunk;
        private int _chunkLength;
        private int _chunkOffset;
        private bool _reading;
        private bool _readable;
        private bool _endOfInput;
        private bool _writing;
        private bool _outputDone;
        private bool _lingering;
        private long _discarded;
        private volatile bool _stopped;

        public Logic(SocketStage stage) : base(stage.Shape)
        {
            _stage = stage;
            _socket = stage._connection.Socket;
            _io = stage._connection.Io;
            // Completions arrive on I/O threads; each re-enters the stage through an async callback.
            _receiveDone = () => { if (!_stopped) _onReceived!(); };
            _sendDone = () => { if (!_stopped) _onSent!(); };
            SetHandler(stage.Out, onPull: StartRead, onDownstreamFinish: _ => StartRead());
            SetHandler(stage.In, onPush: () => Write(Grab(stage.In)), onUpstreamFinish: OutputDone, onUpstreamFailure: Failed);
        }

        public override void PreStart()
        {
            SetKeepGoing(true);
            // Writes are tried synchronously first; a full send buffer must answer at once, not block.
            _io.Start();
            _onReceived = GetAsyncCallback(Received);
            _onSent = GetAsyncCallback(Sent);
            var drain = GetAsyncCallback(Drain);
            var close = GetAsyncCallback<string>(reason => Abort(reason, null));
            _stage._connection.Attach(drain, close);
            Pull(_stage.In);
        }

        public override void PostStop()
        {
            _stopped = true;
            ReturnReadBuffer();
            _stage._connection.Closed();
        }

        protected override void OnTimer(object timerKey) => CompleteStage();

        // Reads while the protocol side wants bytes; once it no longer does, reads only to discard.
        private void StartRead()
        {
            if (_reading || _endOfInput || _stopped) return;
            var discarding = IsClosed(_stage.Out);
            if (discarding && _discarded >= DiscardLimit) return;
            _reading = true;
            ValueTask<int> pending;
            try
            {
                if (_readable)
                {
                    _readBuffer ??= ArrayPool<byte>.Shared.Rent(ReadBufferSize);
                    pending = _io.ReceiveAsync(_readBuffer.AsMemory());
                }
                else
                {
                    pending = _io.ReceiveAsync(Memory<byte>.Empty);
                }
            }
            catch (Exception e)
            {
                _reading = false;
                ReadFailed(e);
                return;
            }

            _receive = pending.ConfigureAwait(false).GetAwaiter();
            if (_receive.IsCompleted) Received();
            else _receive.UnsafeOnCompleted(_receiveDone);
        }

        private void Received()
        {
            _reading = false;
            int count;
            try
            {
                count = _receive.GetResult();
            }
            catch (Exception e)
            {
                ReadFailed(e);
                return;
            }

            if (!_readable)
            {
                // The zero-byte wait ended: data (or end of input) is there to read.
                _readable = true;
                StartRead();
                return;
            }

            _readable = false;
            if (count == 0)
            {
                EndOfInput();
                return;
            }

            _stage._connection.Touch();
            if (IsClosed(_stage.Out))
            {
                _discarded += count;
                ReturnReadBuffer();
                StartRead();
                return;
            }

            Push(_stage.Out, (ReadOnlyMemory<byte>)_readBuffer.AsSpan(0, count).ToArray());
            // The buffer is only needed while a read is under way: an idle connection holds none.
            ReturnReadBuffer();
        }

        private void EndOfInput()
        {
            _endOfInput = true;
            _stage._connection.InputEnded();
            ReturnReadBuffer();
            if (!IsClosed(_stage.Out)) Complete(_stage.Out);
            if (_lingering) CompleteStage();
        }

        private void ReadFailed(Exception e)
        {
            _endOfInput = true;
            _stage._connection.InputEnded();
            ReturnReadBuffer();
            // A client that reset the connection: nothing can reach it any more.
            if (e is SocketException or ObjectDisposedException or IOException) Abort(null, null);
            else Abort("read failed", e);
        }

        private void Drain()
        {
            if (!IsClosed(_stage.Out)) Complete(_stage.Out);
            StartRead();
        }

        // Most replies fit the socket's send buffer: they go out at once from their array, with no
        // copy and no asynchronous operation. What does not fit waits in that array and goes out
        // through one small buffer, so a client that reads slowly costs no copy of its whole backlog.
        private void Write(ReadOnlyMemory<byte> bytes)
        {
            var span = bytes.Span;
            if (span.IsEmpty)
            {
                WriteDone();
                return;
            }

            if (!TrySendNow(span, out var sent)) return;
            if (sent == span.Length)
            {
                WriteDone();
                return;
            }

            _writing = true;
            _pending = bytes;
            _pendingOffset = sent;
            SendChunk();
        }

        // A non-blocking send of what the socket takes now; false when the connection failed (and is aborted).
        private bool TrySendNow(ReadOnlySpan<byte> span, out int sent)
        {
            Exception? error;
            try
            {
                if (_io.TrySend(span, out sent, out error)) return true;
            }
            catch (Exception e)
            {
                sent = 0;
                error = e;
            }

            WriteFailed(error!);
            return false;
        }

        private void SendChunk()
        {
            var rest = _pending.Span[_pendingOffset..];
            _chunk ??= ArrayPool<byte>.Shared.Rent(SendChunkSize);
            _chunkLength = Math.Min(rest.Length, _chunk.Length);
            rest[.._chunkLength].CopyTo(_chunk);
            _chunkOffset = 0;
            SendChunkRest();
        }

        private void SendChunkRest()
        {
            ValueTask<int> pending;
            try
            {
                pending = _io.SendAsync(_chunk.AsMemory(_chunkOffset, _chunkLength - _chunkOffset));
            }
            catch (Exception e)
            {
                WriteFailed(e);
                return;
            }

            _send = pending.ConfigureAwait(false).GetAwaiter();
            if (_send.IsCompleted) Sent();
            else _send.UnsafeOnCompleted(_sendDone);
        }

        private void Sent()
        {
            int count;
            try
            {
                count = _send.GetResult();
            }
            catch (Exception e)
            {
                WriteFailed(e);
                return;
            }

            _chunkOffset += count;
            _pendingOffset += count;
            if (_chunkOffset < _chunkLength)
            {
                SendChunkRest();
                return;
            }

            // The socket took the chunk: try the rest at once before waiting again.
            var rest = _pending.Span[_pendingOffset..];
            if (!rest.IsEmpty)
            {
                if (!TrySendNow(rest, out var sent)) return;
                _pendingOffset += sent;
                if (sent < rest.Length)
                {
                    SendChunk();
                    return;
                }
            }

            _writing = false;
            _pending = default;
            ArrayPool<byte>.Shared.Return(_chunk!);
            _chunk = null;
            WriteDone();
        }

        private void WriteDone()
        {
            _stage._connection.Touch();
            if (_outputDone) Linger();
            else Pull(_stage.In);
        }

        private void WriteFailed(Exception e)
        {
            if (e is SocketException or ObjectDisposedException or IOException) Abort(null, null);
            else Abort("write failed", e);
        }

        private void OutputDone()
        {
            _outputDone = true;
            if (!_writing) Linger();
        }

        // Every reply is written: end the write side, then close once the client has seen it.
        private void Linger()
        {
            if (_lingering) return;
            _lingering = true;
            try
            {
                _io.ShutdownSend();
            }
            catch (Exception)
            {
                CompleteStage();
                return;
            }

            if (_endOfInput || (!_reading && _discarded >= DiscardLimit))
            {
                CompleteStage();
                return;
            }

            if (!IsClosed(_stage.Out)) Complete(_stage.Out);
            ScheduleOnce(nameof(Linger), LingerTime);
            StartRead();
        }

        private void Failed(Exception cause)
        {
            if (cause is ClientLimitException limit) Abort(limit.Message, null);
            else Abort("protocol flow failed", cause);
        }

        private void Abort(string? reason, Exception? error)
        {
            if (reason is not null)
            {
                if (error is null) _stage._log.LogInformation("Closing client id={Id} addr={Remote}: {Reason}", _stage._connection.Id, _stage._connection.Remote, reason);
                else _stage._log.LogWarning(error, "Closing client id={Id} addr={Remote}: {Reason}", _stage._connection.Id, _stage._connection.Remote, reason);
            }

            try
            {
                // A reset, not a FIN: what was not sent is not coming.
                _socket.LingerState = new LingerOption(true, 0);
            }
            catch (Exception)
            {
                // Already closed.
            }

            CompleteStage();
        }

        private void ReturnReadBuffer()
        {
            if (_readBuffer is null || _reading) return;
            ArrayPool<byte>.Shared.Return(_readBuffer);
            _readBuffer = null;
        }
    }
}
