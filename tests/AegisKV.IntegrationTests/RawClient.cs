using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AegisKV.IntegrationTests;

/// <summary>A bare TCP client for what Redis client libraries hide: partial requests, unread replies, closes.</summary>
public sealed class RawClient : IDisposable
{
    private readonly Socket _socket;

    private RawClient(Socket socket) => _socket = socket;

    public Socket Socket => _socket;

    public static async Task<RawClient> ConnectAsync(int port, IPAddress? server = null, IPAddress? from = null)
    {
        server ??= IPAddress.Loopback;
        var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (from is not null) socket.Bind(new IPEndPoint(from, 0));
        await socket.ConnectAsync(new IPEndPoint(server, port));
        return new RawClient(socket);
    }

    /// <summary>Sends everything, half-closes, and reads until the server closes, as <c>nc -N</c> does.</summary>
    public static async Task<string> SessionAsync(int port, string input)
    {
        using var client = await ConnectAsync(port);
        await client.SendAsync(input);
        client.Socket.Shutdown(SocketShutdown.Send);
        var (text, _) = await client.ReceiveUntilClosedAsync(TimeSpan.FromSeconds(10));
        return text;
    }

    public Task SendAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text));

    public async Task SendAsync(byte[] bytes) => await _socket.SendAsync(bytes, SocketFlags.None);

    /// <summary>Reads until <paramref name="expected"/> bytes have arrived, the server closes, or <paramref name="timeout"/> passes.</summary>
    public async Task<string> ReceiveAsync(int expected, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var buffer = new byte[Math.Max(expected, 1)];
        var read = 0;
        try
        {
            while (read < expected)
            {
                var count = await _socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, cancel.Token);
                if (count == 0) break;
                read += count;
            }
        }
        catch (OperationCanceledException)
        {
            // What arrived in time is the answer; the caller's assertion says what was missing.
        }

        return Encoding.UTF8.GetString(buffer, 0, read);
    }

    /// <summary>Asserts that exactly <paramref name="expected"/> arrives next (as many bytes as it has), within <paramref name="timeout"/>.</summary>
    public async Task ExpectAsync(TimeSpan timeout, string expected) =>
        Assert.Equal(expected, await ReceiveAsync(Encoding.UTF8.GetByteCount(expected), timeout));

    /// <summary>Reads one bulk string reply (<c>$n\r\n…\r\n</c>) and returns its text.</summary>
    public async Task<string> ReceiveBulkAsync(TimeSpan timeout)
    {
        var header = new StringBuilder();
        while (!header.ToString().EndsWith("\r\n", StringComparison.Ordinal)) header.Append(await ReceiveAsync(1, timeout));
        var length = int.Parse(header.ToString().AsSpan(1, header.Length - 3));
        return (await ReceiveAsync(length + 2, timeout))[..length];
    }

    /// <summary>Reads everything until the server closes; the text read, and whether it ended within <paramref name="timeout"/>.</summary>
    public async Task<(string Text, bool Closed)> ReceiveUntilClosedAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        using var output = new MemoryStream();
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var count = await _socket.ReceiveAsync(buffer, SocketFlags.None, cancel.Token);
                if (count == 0) return (Encoding.UTF8.GetString(output.ToArray()), true);
                output.Write(buffer, 0, count);
            }
        }
        catch (SocketException)
        {
            return (Encoding.UTF8.GetString(output.ToArray()), true);
        }
        catch (OperationCanceledException)
        {
            return (Encoding.UTF8.GetString(output.ToArray()), false);
        }
    }

    public void Dispose() => _socket.Dispose();
}
