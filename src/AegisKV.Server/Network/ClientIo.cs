using System.Net.Sockets;

namespace AegisKV.Server.Network;

/// <summary>
/// How a client connection's bytes move: straight through its socket, or through a TLS stream over it. The stream
/// stage reads and writes through this and nothing else, so plain and TLS clients share one protocol flow.
/// </summary>
internal abstract class ClientIo
{
    /// <summary>Called once, on the stage, before the first read or write.</summary>
    public virtual void Start()
    {
    }

    /// <summary>Reads into <paramref name="buffer"/>; an empty buffer waits until data is there without taking it. 0 is end of input.</summary>
    public abstract ValueTask<int> ReceiveAsync(Memory<byte> buffer);

    /// <summary>Sends what goes without waiting; false when the connection failed, with <paramref name="error"/> saying how.</summary>
    public abstract bool TrySend(ReadOnlySpan<byte> bytes, out int sent, out Exception? error);

    /// <summary>Sends <paramref name="bytes"/>, or a first part of them; the count sent.</summary>
    public abstract ValueTask<int> SendAsync(ReadOnlyMemory<byte> bytes);

    /// <summary>Ends the sending side once everything before it was sent; the client sees end of input.</summary>
    public abstract void ShutdownSend();
}

/// <summary>A plain connection: the socket itself, made non-blocking so that most replies go out in one synchronous send.</summary>
internal sealed class SocketIo(Socket socket) : ClientIo
{
    public override void Start() => socket.Blocking = false;

    public override ValueTask<int> ReceiveAsync(Memory<byte> buffer) => socket.ReceiveAsync(buffer, SocketFlags.None);

    public override bool TrySend(ReadOnlySpan<byte> bytes, out int sent, out Exception? error)
    {
        sent = Math.Max(socket.Send(bytes, SocketFlags.None, out var code), 0);
        error = code is SocketError.Success or SocketError.WouldBlock ? null : new SocketException((int)code);
        return error is null;
    }

    public override ValueTask<int> SendAsync(ReadOnlyMemory<byte> bytes) => socket.SendAsync(bytes, SocketFlags.None);

    public override void ShutdownSend() => socket.Shutdown(SocketShutdown.Send);
}
