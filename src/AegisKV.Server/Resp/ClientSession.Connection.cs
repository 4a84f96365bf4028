using System.Text;
using Microsoft.Extensions.Logging;
using AegisKV.Core.Replies;
using AegisKV.Core.State;

namespace AegisKV.Server.Resp;

// The connection's own state: AUTH, HELLO (RESP2 or RESP3), SELECT, CLIENT and MONITOR.
internal sealed partial class ClientSession
{
    private static readonly ErrorReply InvalidClientName = Errors.Text("ERR Client names cannot contain spaces, newlines or special characters.");
    private int _authFailures;
    private long _authAnswerAt;

    private Reply Auth(byte[][] arguments)
    {
        if (arguments.Length > 3) return Errors.Syntax;
        if (_node.Settings.AuthToken is not { } token) return Errors.AuthNotConfigured;
        var user = arguments.Length == 3 ? arguments[1] : "default"u8.ToArray();
        // As in Redis, a failed AUTH leaves an authenticated connection authenticated.
        if (!user.AsSpan().SequenceEqual("default"u8) || !Admin.TokenCheck.Matches(arguments[^1], token)) return AuthFailed();
        _authenticated = true;
        return Reply.Ok;
    }

    // A wrong token: counted and logged (never the token), and past the limit the connection's last answer.
    private Reply AuthFailed()
    {
        var limit = _node.Settings.AuthMaxFailures;
        var closing = ++_authFailures >= limit;
        _node.Metrics.AuthFailed(closing);
        _node.Log.LogWarning("Wrong AUTH from {Client} (attempt {Attempt} of {Limit} on this connection){Closing}", _client.Remote, _authFailures, limit,
            closing ? "; the connection is closed" : "");
        if (!closing) return Errors.WrongPass;
        // Nothing the client sent after it may run.
        _closing = true;
        return new ClosingReply(Errors.Text("WRONGPASS invalid username-password pair or user is disabled; too many wrong attempts, closing the connection"));
    }

    // AUTH or HELLO; a wrong attempt is answered a delay after the one before it, so pipelining guesses gains nothing.
    private Task<Reply> Authenticate(byte[][] arguments, bool hello)
    {
        var failures = _authFailures;
        var reply = hello ? Hello(arguments) : Auth(arguments);
        if (_authFailures == failures) return Task.FromResult(reply);
        var now = Environment.TickCount64;
        _authAnswerAt = Math.Max(now, _authAnswerAt) + (long)_node.Settings.AuthFailureDelay.TotalMilliseconds;
        return DelayedAsync(reply, _authAnswerAt - now);
    }

    private static async Task<Reply> DelayedAsync(Reply reply, long delayMs)
    {
        await Task.Delay(TimeSpan.FromMilliseconds(delayMs)).ConfigureAwait(false);
        return reply;
    }

    // HELLO [protover [AUTH user pass] [SETNAME name]]: the answer is already in the new protocol.
    private Reply Hello(byte[][] arguments)
    {
        var i = 1;
        byte[]? name = null;
        var protocol = _client.Protocol;
        if (arguments.Length > 1)
        {
            if (!IntegerText.TryParse(arguments[1], out var version))
                return Errors.Text("ERR Protocol version is not an integer or out of range");
            if (version is not (2 or 3)) return Errors.NoProto;
            protocol = (int)version;
            i = 2;
        }

        for (; i < arguments.Length; i++)
        {
            if (Ascii.EqualsIgnoreCase(arguments[i], "AUTH"u8) && i + 2 < arguments.Length)
            {
                var result = Auth(["AUTH"u8.ToArray(), arguments[i + 1], arguments[i + 2]]);
                if (result is ErrorReply or ClosingReply) return result;
                i += 2;
            }
            else if (Ascii.EqualsIgnoreCase(arguments[i], "SETNAME"u8) && i + 1 < arguments.Length)
            {
                name = arguments[++i];
                if (!IsValidClientName(name)) return InvalidClientName;
            }
            else
            {
                return Errors.Text($"ERR Syntax error in HELLO option '{Encoding.UTF8.GetString(arguments[i])}'");
            }
        }

        if (!_authenticated)
            return Errors.Text("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time");

        if (name is not null) _client.Name = name.Length == 0 ? null : name;
        _client.Protocol = protocol;
        return new ProtocolReply(new MapReply(
        [
            Bulk("server"), Bulk("redis"),
            Bulk("version"), Bulk(ServerInfo.RedisCompatibleVersion),
            Bulk("proto"), Reply.Integer(protocol),
            Bulk("id"), Reply.Integer(Id),
            Bulk("mode"), Bulk(_node.Topology?.IsCluster == true ? "cluster" : "standalone"),
            Bulk("role"), Bulk("master"),
            Bulk("modules"), Reply.EmptyArray,
        ]), protocol);
    }

    private static Reply Select(byte[] index)
    {
        if (!IntegerText.TryParse(index, out var db)) return Errors.NotInteger;
        return db == 0 ? Reply.Ok : Errors.DbIndexOutOfRange;
    }

    private Reply Client(byte[][] arguments)
    {
        var sub = arguments[1];
        var count = arguments.Length;
        if (Ascii.EqualsIgnoreCase(sub, "SETNAME"u8) && count == 3)
        {
            if (!IsValidClientName(arguments[2])) return InvalidClientName;
            _client.Name = arguments[2].Length == 0 ? null : arguments[2];
            return Reply.Ok;
        }

        if (Ascii.EqualsIgnoreCase(sub, "GETNAME"u8) && count == 2) return Reply.Bulk(_client.Name);
        if (Ascii.EqualsIgnoreCase(sub, "REPLY"u8) && count == 3) return ClientReply(arguments[2]);
        if (Ascii.EqualsIgnoreCase(sub, "ID"u8) && count == 2) return Reply.Integer(Id);
        if (Ascii.EqualsIgnoreCase(sub, "INFO"u8) && count == 2) return Bulk(_client.Describe() + "\n");
        if (Ascii.EqualsIgnoreCase(sub, "LIST"u8)) return ClientList(arguments);
        if (Ascii.EqualsIgnoreCase(sub, "KILL"u8) && count >= 3) return ClientKill(arguments);
        if (Ascii.EqualsIgnoreCase(sub, "SETINFO"u8) && count == 4) return ClientSetInfo(arguments[2], arguments[3]);
        if ((Ascii.EqualsIgnoreCase(sub, "NO-EVICT"u8) || Ascii.EqualsIgnoreCase(sub, "NO-TOUCH"u8)) && count == 3)
        {
            var on = Ascii.EqualsIgnoreCase(arguments[2], "ON"u8);
            if (!on && !Ascii.EqualsIgnoreCase(arguments[2], "OFF"u8)) return Errors.Syntax;
            if (Ascii.EqualsIgnoreCase(sub, "NO-EVICT"u8)) _client.NoEvict = on;
            return Reply.Ok;
        }

        if (Ascii.EqualsIgnoreCase(sub, "HELP"u8))
            return new ArrayReply([.. new[]
            {
                "CLIENT SETNAME <name>", "CLIENT GETNAME", "CLIENT ID", "CLIENT INFO", "CLIENT LIST [TYPE normal|master|replica|pubsub] [ID <id> ...]",
                "CLIENT KILL <ip:port> | [ID <id>] [ADDR <ip:port>] [LADDR <ip:port>] [USER <name>] [TYPE <type>] [SKIPME yes|no] [MAXAGE <seconds>]",
                "CLIENT SETINFO LIB-NAME|LIB-VER <value>", "CLIENT NO-EVICT on|off", "CLIENT NO-TOUCH on|off", "CLIENT REPLY ON|OFF|SKIP",
            }.Select(Bulk)]);
        return Errors.UnknownSubcommand(sub, "client");
    }

    private Reply ClientList(byte[][] arguments)
    {
        HashSet<long>? ids = null;
        var normalOnly = true;
        for (var i = 2; i < arguments.Length; i++)
        {
            if (Ascii.EqualsIgnoreCase(arguments[i], "TYPE"u8) && i + 1 < arguments.Length)
            {
                var type = Encoding.ASCII.GetString(arguments[++i]).ToLowerInvariant();
                if (type is not ("normal" or "master" or "replica" or "slave" or "pubsub"))
                    return Errors.Text($"ERR Unknown client type '{type}'");
                normalOnly = type == "normal";
            }
            else if (Ascii.EqualsIgnoreCase(arguments[i], "ID"u8) && i + 1 < arguments.Length)
            {
                ids = [];
                for (i++; i < arguments.Length; i++)
                {
                    if (!IntegerText.TryParse(arguments[i], out var id) || id < 1) return Errors.Text("ERR Invalid client ID");
                    ids.Add(id);
                }
            }
            else return Errors.Syntax;
        }

        var text = new StringBuilder();
        if (normalOnly)
            foreach (var client in _node.Clients.All)
                if (ids is null || ids.Contains(client.Id)) text.Append(client.Describe()).Append('\n');
        return Bulk(text.ToString());
    }

    // CLIENT KILL ip:port answers OK; the filter form answers how many it closed. This connection is
    // closed after its answer, others at once.
    private Reply ClientKill(byte[][] arguments)
    {
        if (arguments.Length == 3)
        {
            var address = Encoding.ASCII.GetString(arguments[2]);
            var target = _node.Clients.All.FirstOrDefault(c => c.Remote == address);
            if (target is null) return Errors.Text("ERR No such client");
            return Kill(target, Reply.Ok);
        }

        long? id = null, maxAge = null;
        string? addr = null, laddr = null, user = null;
        var skipMe = true;
        var normal = true;
        for (var i = 2; i < arguments.Length; i += 2)
        {
            if (i + 1 >= arguments.Length) return Errors.Syntax;
            var option = arguments[i];
            var value = Encoding.ASCII.GetString(arguments[i + 1]);
            if (Ascii.EqualsIgnoreCase(option, "ID"u8))
            {
                if (!long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed) || parsed < 1)
                    return Errors.Text("ERR client-id should be greater than 0");
                id = parsed;
            }
            else if (Ascii.EqualsIgnoreCase(option, "ADDR"u8)) addr = value;
            else if (Ascii.EqualsIgnoreCase(option, "LADDR"u8)) laddr = value;
            else if (Ascii.EqualsIgnoreCase(option, "USER"u8)) user = value;
            else if (Ascii.EqualsIgnoreCase(option, "TYPE"u8))
            {
                if (value.ToLowerInvariant() is not ("normal" or "master" or "replica" or "slave" or "pubsub"))
                    return Errors.Text($"ERR Unknown client type '{value}'");
                normal = value.Equals("normal", StringComparison.OrdinalIgnoreCase);
            }
            else if (Ascii.EqualsIgnoreCase(option, "SKIPME"u8))
            {
                if (value.Equals("yes", StringComparison.OrdinalIgnoreCase)) skipMe = true;
                else if (value.Equals("no", StringComparison.OrdinalIgnoreCase)) skipMe = false;
                else return Errors.Syntax;
            }
            else if (Ascii.EqualsIgnoreCase(option, "MAXAGE"u8))
            {
                if (!long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var age)) return Errors.NotInteger;
                maxAge = age;
            }
            else return Errors.Syntax;
        }

        var killed = 0;
        var self = false;
        var now = Environment.TickCount64;
        foreach (var client in _node.Clients.All)
        {
            if (!normal || (id is { } wanted && client.Id != wanted) || (addr is not null && client.Remote != addr) ||
                (laddr is not null && client.Local != laddr) || (user is not null && user != "default") ||
                (maxAge is { } limit && (now - client.CreatedAt) / 1000 < limit))
                continue;
            if (client.Id == Id)
            {
                if (skipMe) continue;
                self = true;
            }
            else client.Close("killed by CLIENT KILL");

            killed++;
        }

        return self ? new ClosingReply(Reply.Integer(killed)) : Reply.Integer(killed);
    }

    private Reply Kill(ClientInfo target, Reply answer)
    {
        if (target.Id == Id) return new ClosingReply(answer);
        target.Close("killed by CLIENT KILL");
        return answer;
    }

    private Reply ClientSetInfo(byte[] attribute, byte[] value)
    {
        foreach (var b in value)
            if (b is < (byte)'!' or > (byte)'~')
                return Errors.Text($"ERR {Encoding.ASCII.GetString(attribute)} cannot contain spaces, newlines or special characters.");
        if (Ascii.EqualsIgnoreCase(attribute, "LIB-NAME"u8)) _client.LibraryName = Encoding.ASCII.GetString(value);
        else if (Ascii.EqualsIgnoreCase(attribute, "LIB-VER"u8)) _client.LibraryVersion = Encoding.ASCII.GetString(value);
        else return Errors.Text($"ERR Unrecognized option '{Encoding.UTF8.GetString(attribute)}'");
        return Reply.Ok;
    }

    private Reply Monitor()
    {
        _node.Clients.StartMonitor(_client, _push.Push);
        return Reply.Ok;
    }

    private static bool IsValidClientName(byte[] name)
    {
        foreach (var b in name)
            if (b <= (byte)' ' || b > 126) return false;
        return true;
    }
}
