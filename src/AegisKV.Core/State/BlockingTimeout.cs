using System.Globalization;
using AegisKV.Core.Replies;

namespace AegisKV.Core.State;

/// <summary>The timeout of a blocking command (BLPOP and kin): seconds as a float, 0 for none, as Redis reads it.</summary>
public static class BlockingTimeout
{
    private static readonly ErrorReply NotFloat = Errors.Text("ERR timeout is not a float or out of range");
    private static readonly ErrorReply Negative = Errors.Text("ERR timeout is negative");
    private static readonly ErrorReply OutOfRange = Errors.Text("ERR timeout is out of range");

    /// <summary>Reads <paramref name="text"/> as milliseconds rounded up (0 waits for ever); returns the error to answer when it is not a timeout.</summary>
    public static ErrorReply? Parse(byte[] text, out long milliseconds)
    {
        milliseconds = 0;
        if (text.Length == 0 || text.Length > 64 || char.IsWhiteSpace((char)text[0]) ||
            !double.TryParse(System.Text.Encoding.ASCII.GetString(text), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) ||
            double.IsNaN(seconds))
            return NotFloat;
        var ms = Math.Ceiling(seconds * 1000.0);
        if (ms > long.MaxValue / 2) return OutOfRange;
        if (ms < 0) return Negative;
        milliseconds = (long)ms;
        return null;
    }

    /// <summary>The argument holding the timeout of blocking command <paramref name="command"/> (its arguments without the name).</summary>
    public static int ArgumentOf(Commands.CommandId command, byte[][] arguments) =>
        command == Commands.CommandId.BLMPop ? 0 : arguments.Length - 1;

    /// <summary>The keys a blocked <paramref name="command"/> waits on (its arguments without the name).</summary>
    public static byte[][] KeysOf(Commands.CommandId command, byte[][] arguments) => command switch
    {
        Commands.CommandId.BLPop or Commands.CommandId.BRPop => arguments[..^1],
        Commands.CommandId.BLMPop when IntegerText.TryParse(arguments[1], out var n) && n > 0 && n <= arguments.Length - 2 => arguments[2..(2 + (int)n)],
        _ => [arguments[0]],
    };
}
