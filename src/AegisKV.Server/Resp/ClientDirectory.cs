using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using AegisKV.Core.Replies;

namespace AegisKV.Server.Resp;

/// <summary>
/// The node's open client connections by id: CLIENT LIST and CLIENT KILL read it, and MONITOR
/// lines go from here to every monitoring connection.
/// </summary>
public sealed class ClientDirectory
{
    private readonly ConcurrentDictionary<long, ClientInfo> _clients = new();
    private int _monitors;

    /// <summary>True while some connection is a MONITOR; checked on every command, so cheap.</summary>
    public bool HasMonitors => Volatile.Read(ref _monitors) > 0;

    /// <summary>Open connections not being closed, in id order.</summary>
    public IReadOnlyList<ClientInfo> All => [.. _clients.Values.Where(c => !c.Closing).OrderBy(c => c.Id)];

    /// <summary>Adds an accepted connection.</summary>
    public void Add(ClientInfo client) => _clients[client.Id] = client;

    /// <summary>Removes a closed connection.</summary>
    public void Remove(long id)
    {
        if (_clients.TryRemove(id, out var client) && client.Monitor is not null) Interlocked.Decrement(ref _monitors);
    }

    /// <summary>Makes <paramref name="client"/> a monitor that receives lines through <paramref name="push"/>.</summary>
    public void StartMonitor(ClientInfo client, Action<Reply> push)
    {
        if (client.Monitor is not null) return;
        client.Monitor = push;
        Interlocked.Increment(ref _monitors);
    }

    /// <summary>Sends a command, as MONITOR shows it, to every monitor.</summary>
    public void Publish(ClientInfo from, ReadOnlySpan<byte[]> arguments)
    {
        var line = new SimpleReply(Format(from, arguments));
        foreach (var client in _clients.Values)
            client.Monitor?.Invoke(line);
    }

    // +1339518083.107412 [0 127.0.0.1:60866] "keys" "*"; AUTH's arguments are never shown.
    private static byte[] Format(ClientInfo from, ReadOnlySpan<byte[]> arguments)
    {
        var now = DateTimeOffset.UtcNow;
        var text = new StringBuilder(64);
        text.Append(now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)).Append('.')
            .Append((now.Ticks % TimeSpan.TicksPerSecond / 10).ToString("D6", CultureInfo.InvariantCulture))
            .Append(" [0 ").Append(from.Remote).Append(']');
        var redacted = arguments.Length > 0 && (Ascii.EqualsIgnoreCase(arguments[0], "AUTH"u8) || Ascii.EqualsIgnoreCase(arguments[0], "HELLO"u8));
        for (var i = 0; i < arguments.Length; i++)
        {
            text.Append(' ');
            if (redacted && i > 0) text.Append("\"(redacted)\"");
            else Quote(text, arguments[i]);
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    // As Redis's sdscatrepr: printable bytes as they are, the rest escaped.
    private static void Quote(StringBuilder text, byte[] argument)
    {
        text.Append('"');
        foreach (var b in argument)
        {
            switch (b)
            {
                case (byte)'\\': text.Append("\\\\"); break;
                case (byte)'"': text.Append("\\\""); break;
                case (byte)'\n': text.Append("\\n"); break;
                case (byte)'\r': text.Append("\\r"); break;
                case (byte)'\t': text.Append("\\t"); break;
                case (byte)'\a': text.Append("\\a"); break;
                case (byte)'\b': text.Append("\\b"); break;
                default:
                    if (b is >= 32 and < 127) text.Append((char)b);
                    else text.Append("\\x").Append(b.ToString("x2", CultureInfo.InvariantCulture));
                    break;
            }
        }

        text.Append('"');
    }
}
