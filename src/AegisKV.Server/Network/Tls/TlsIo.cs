using System.Net.Security;
using System.Net.Sockets;

namespace AegisKV.Server.Network.Tls;

/// <summary>
/// A TLS connection after its handshake: bytes go through the <see cref="SslStream"/>, which has no send that
/// returns without waiting, so every reply takes the asynchronous path. Ending the sending side sends TLS's
/// close_notify first, so that the client tells an orderly close from a cut.
/// </summary>
internal sealed class TlsIo(SslStream stream, Socket socket) : ClientIo
{
    public override ValueTask<int> ReceiveAsync(Memory<byte> buffer) => stream.ReadAsync(buffer);

    public override bool TrySend(ReadOnlySpan<byte> bytes, out int sent, out Exception? error)
    {
        sent = 0;
        error = null;
        return true;
    }

    public override ValueTask<int> SendAsync(ReadOnlyMemory<byte> bytes)
    {
        var write = stream.WriteAsync(bytes);
        return write.IsCompletedSuccessfully ? new ValueTask<int>(bytes.Length) : Written(write, bytes.Length);
    }

    public override void ShutdownSend() =>
        stream.ShutdownAsync().ContinueWith(static (done, state) =>
        {
            try
            {
                ((Socket)state!).Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // The client is gone already.
            }

            _ = done.Exception;
        }, socket, TaskScheduler.Default);

    private static async ValueTask<int> Written(ValueTask write, int count)
    {
        await write.ConfigureAwait(false);
        return count;
    }
}
