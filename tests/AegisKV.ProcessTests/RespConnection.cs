using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AegisKV.ProcessTests;

/// <summary>One RESP2 reply: its type byte (<c>+ - : $ *</c>), its text (null for a null bulk or array) and an array's items.</summary>
public sealed record RespReply(char Type, string? Text, IReadOnlyList<RespReply>? Items = null)
{
    /// <inheritdoc />
    public override string ToString() => Items is null ? $"{Type}{Text ?? "(nil)"}" : $"*[{string.Join(", ", Items)}]";
}

/// <summary>A raw TCP connection to a node's RESP port: exact bytes out, replies parsed by hand.</summary>
public sealed class RespConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    private RespConnection(Socket socket) => _socket = socket;

    /// <summary>Connects to 127.0.0.1:<paramref name="port"/>.</summary>
    public static async Task<RespConnection> ConnectAsync(int port, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(NodeAddresses.Of(port), port), cancellationToken);
            return new RespConnection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>A command as a RESP array of bulk strings.</summary>
    public static byte[] Command(params string[] arguments)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"*{arguments.Length}\r\n");
        foreach (var argument in arguments)
            text.Append(CultureInfo.InvariantCulture, $"${Encoding.UTF8.GetByteCount(argument)}\r\n{argument}\r\n");
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>Sends <paramref name="bytes"/> as they are.</summary>
    public async Task SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        while (bytes.Length > 0)
        {
            var sent = await _socket.SendAsync(bytes, SocketFlags.None, cancellationToken);
            bytes = bytes[sent..];
        }
    }

    /// <summary>Sends <paramref name="text"/> as UTF-8, e.g. inline commands.</summary>
    public Task SendAsync(string text, CancellationToken cancellationToken) => SendAsync(Encoding.UTF8.GetBytes(text), cancellationToken);

    /// <summary>Sends one command and reads its reply.</summary>
    public async Task<RespReply> ExecuteAsync(CancellationToken cancellationToken, params string[] arguments)
    {
        await SendAsync(Command(arguments), cancellationToken);
        return await ReadReplyAsync(cancellationToken);
    }

    /// <summary>Half-closes the connection: the node sees end of input, replies can still arrive.</summary>
    public void ShutdownSend() => _socket.Shutdown(SocketShutdown.Send);

    /// <summary>Reads one reply; <see cref="EndOfStreamException"/> if the connection ends first.</summary>
    public async Task<RespReply> ReadReplyAsync(CancellationToken cancellationToken)
    {
        var line = await ReadLineAsync(cancellationToken);
        if (line.Length == 0) throw new InvalidDataException("empty reply line");
        var type = line[0];
        var rest = line[1..];
        switch (type)
        {
            case '+' or '-' or ':':
                return new RespReply(type, rest);
            case '$':
            {
                var length = int.Parse(rest, CultureInfo.InvariantCulture);
                if (length < 0) return new RespReply(type, null);
                var bytes = await ReadExactlyAsync(length + 2, cancellationToken);
                return new RespReply(type, Encoding.UTF8.GetString(bytes, 0, length));
            }
            case '*':
            {
                var count = int.Parse(rest, CultureInfo.InvariantCulture);
                if (count < 0) return new RespReply(type, null);
                var items = new List<RespReply>(count);
                for (var i = 0; i < count; i++) items.Add(await ReadReplyAsync(cancellationToken));
                return new RespReply(type, rest, items);
            }
            default:
                throw new InvalidDataException($"not a RESP reply: '{line}'");
        }
    }

    /// <summary>Reads everything until the node closes the connection; throws if it is reset rather than closed.</summary>
    public async Task<byte[]> ReadToEndAsync(CancellationToken cancellationToken)
    {
        var (data, error) = await ReadUntilClosedAsync(cancellationToken);
        if (error is not null) throw new IOException($"the connection ended with an error after {data.Length} bytes", error);
        return data;
    }

    /// <summary>
    /// Reads until the connection ends: the bytes received (what was buffered first), and null when the node
    /// closed it cleanly (end of stream) or the error that ended it (e.g. a reset).
    /// </summary>
    public async Task<(byte[] Data, Exception? Error)> ReadUntilClosedAsync(CancellationToken cancellationToken)
    {
        var all = new MemoryStream();
        all.Write(_buffer, _start, _end - _start);
        _start = _end = 0;
        var chunk = new byte[64 * 1024];
        while (true)
        {
            int read;
            try
            {
                read = await _socket.ReceiveAsync(chunk, SocketFlags.None, cancellationToken);
            }
            catch (SocketException e)
            {
                return (all.ToArray(), e);
            }

            if (read == 0) return (all.ToArray(), null);
            all.Write(chunk, 0, read);
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var crlf = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8);
            if (crlf >= 0)
            {
                var line = Encoding.UTF8.GetString(_buffer, _start, crlf);
                _start += crlf + 2;
                return line;
            }

            await FillAsync(cancellationToken);
        }
    }

    private async Task<byte[]> ReadExactlyAsync(int count, CancellationToken cancellationToken)
    {
        while (_end - _start < count) await FillAsync(cancellationToken);
        var bytes = _buffer.AsSpan(_start, count).ToArray();
        _start += count;
        return bytes;
    }

    private async Task FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
        var read = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellationToken);
        if (read == 0) throw new EndOfStreamException("the node closed the connection");
        _end += read;
    }
}
