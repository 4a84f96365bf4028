using AegisKV.Core.Replies;

namespace AegisKV.Core.Commands;

/// <summary>Where a command line's keys are, by the command table's key positions or its numkeys argument.</summary>
public static class CommandKeys
{
    private static readonly ErrorReply NumKeysNotPositive = Errors.Text("ERR numkeys should be greater than 0");
    private static readonly ErrorReply NumKeysTooMany = Errors.Text("ERR Number of keys can't be greater than number of args");

    /// <summary>
    /// The positions of the keys of <paramref name="line"/> (name first): from <paramref name="first"/> to
    /// <paramref name="last"/> inclusive, every <paramref name="step"/>; <paramref name="first"/> is 0 when it has
    /// none. Returns the error to answer when its numkeys argument is not a usable count.
    /// </summary>
    public static ErrorReply? Find(CommandSpec spec, byte[][] line, out int first, out int last, out int step)
    {
        step = Math.Max(1, spec.KeyStep);
        first = spec.FirstKey;
        last = spec.LastKey < 0 ? line.Length + spec.LastKey : Math.Min(spec.LastKey, line.Length - 1);
        if (spec.NumKeysAt == 0) return null;
        if (!State.IntegerText.TryParse(line[spec.NumKeysAt], out var count)) return spec.Routing == CommandRouting.SameShard ? NumKeysNotPositive : Errors.NotInteger;
        // A command routed by its keys needs one; a script may name none.
        if (count < 0 || (count == 0 && spec.Routing == CommandRouting.SameShard)) return NumKeysNotPositive;
        if (count > line.Length - spec.NumKeysAt - 1) return NumKeysTooMany;
        first = count == 0 ? 0 : spec.NumKeysAt + 1;
        last = spec.NumKeysAt + (int)count;
        return null;
    }
}
