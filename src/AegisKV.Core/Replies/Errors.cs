using System.Text;

namespace AegisKV.Core.Replies;

/// <summary>
/// Every error reply AegisKV sends, in one place, worded as Redis 7 words them so clients
/// that match on the text keep working.
/// </summary>
public static class Errors
{
    /// <summary>An argument that must be an integer is not one.</summary>
    public static readonly ErrorReply NotInteger = new("ERR value is not an integer or out of range"u8.ToArray());

    /// <summary>INCR and friends would overflow a 64-bit integer.</summary>
    public static readonly ErrorReply Overflow = new("ERR increment or decrement would overflow"u8.ToArray());

    /// <summary>Options that do not parse or do not combine.</summary>
    public static readonly ErrorReply Syntax = new("ERR syntax error"u8.ToArray());

    /// <summary>A write refused because the node is at <c>--max-memory</c>.</summary>
    public static readonly ErrorReply OutOfMemory = new("OOM command not allowed when used memory > 'maxmemory'."u8.ToArray());

    /// <summary>A command sent before AUTH on a node with <c>--auth-token</c>.</summary>
    public static readonly ErrorReply NoAuth = new("NOAUTH Authentication required."u8.ToArray());

    /// <summary>AUTH with the wrong token.</summary>
    public static readonly ErrorReply WrongPass = new("WRONGPASS invalid username-password pair or user is disabled."u8.ToArray());

    /// <summary>AUTH on a node that has no token.</summary>
    public static readonly ErrorReply AuthNotConfigured = new("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"u8.ToArray());

    /// <summary>HELLO asking for a protocol other than RESP2.</summary>
    public static readonly ErrorReply NoProto = new("NOPROTO unsupported protocol version"u8.ToArray());

    /// <summary>SELECT of a database other than 0.</summary>
    public static readonly ErrorReply DbIndexOutOfRange = new("ERR DB index is out of range"u8.ToArray());

    /// <summary>A SCAN cursor that does not parse.</summary>
    /// <summary>The key holds another type than the command works on.</summary>
    public static readonly ErrorReply WrongType = new("WRONGTYPE Operation against a key holding the wrong kind of value"u8.ToArray());

    /// <summary>A float argument that is not a number.</summary>
    public static readonly ErrorReply NotFloat = new("ERR value is not a valid float"u8.ToArray());

    /// <summary>The cursor is not a number.</summary>
    public static readonly ErrorReply InvalidCursor = new("ERR invalid cursor"u8.ToArray());

    /// <summary>The shard did not answer in time.</summary>
    public static readonly ErrorReply TryAgain = new("TRYAGAIN the shard owning this key is not available, try again later"u8.ToArray());

    /// <summary>Wrong number of arguments for <paramref name="command"/>.</summary>
    public static ErrorReply WrongArity(string command) =>
        Text($"ERR wrong number of arguments for '{command.ToLowerInvariant()}' command");

    /// <summary>An expire time that is not positive or would overflow.</summary>
    public static ErrorReply InvalidExpireTime(string command) =>
        Text($"ERR invalid expire time in '{command.ToLowerInvariant()}' command");

    /// <summary>A command name the node does not know, worded like Redis 7.</summary>
    public static ErrorReply UnknownCommand(ReadOnlySpan<byte[]> arguments)
    {
        var text = new StringBuilder("ERR unknown command '");
        text.Append(Printable(arguments[0])).Append("', with args beginning with: ");
        for (var i = 1; i < arguments.Length && i < 16; i++) text.Append('\'').Append(Printable(arguments[i])).Append("' ");
        return Text(text.ToString());
    }

    /// <summary>An unknown subcommand of a container command such as CLIENT or CONFIG.</summary>
    public static ErrorReply UnknownSubcommand(ReadOnlySpan<byte> subcommand, string command) =>
        Text($"ERR unknown subcommand '{Printable(subcommand)}'. Try {command.ToUpperInvariant()} HELP.");

    /// <summary>An error reply from a message; the prefix must be part of <paramref name="message"/>.</summary>
    public static ErrorReply Text(string message) => new(Encoding.UTF8.GetBytes(message));

    // Error text must stay on one line and short, whatever the client sent.
    private static string Printable(ReadOnlySpan<byte> raw)
    {
        var length = Math.Min(raw.Length, 128);
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            var b = raw[i];
            chars[i] = b is >= 0x20 and < 0x7f ? (char)b : '?';
        }

        return new string(chars);
    }
}
