using System.Globalization;
using AegisKV.Core.Commands;
using AegisKV.Core.Replies;

namespace AegisKV.Core.State;

// String commands with options or arithmetic: SET, SETEX/PSETEX, GETEX, INCR and friends, GETRANGE
// (SUBSTR), SETRANGE and INCRBYFLOAT, with Redis's rules for options, indexes, padding and number text.
public sealed partial class ShardState
{
    private static readonly ErrorReply OffsetOutOfRange = Errors.Text("ERR offset is out of range");
    private static readonly ErrorReply NotFinite = Errors.Text("ERR increment would produce NaN or Infinity");
    private static readonly Reply EmptyBulk = new BulkReply([]);

    // Negative indexes count from the end; both ends are clamped to the value; start past end is empty.
    private Reply GetRange(byte[][] arguments, long nowMs)
    {
        if (!IntegerText.TryParse(arguments[1], out var start) || !IntegerText.TryParse(arguments[2], out var end)) return Errors.NotInteger;
        if (!TryGetLive(arguments[0], nowMs, out var stored) || stored.Value.Length == 0) return EmptyBulk;
        long length = stored.Value.Length;
        if (start < 0) start = Math.Max(0, length + start);
        if (end < 0) end = Math.Max(0, length + end);
        end = Math.Min(end, length - 1);
        if (start > end) return EmptyBulk;
        return new BulkReply(stored.Value.Slice((int)start, (int)(end - start + 1)).ToArray());
    }

    // Overwrites from the offset, padding a short or missing value with zero bytes; keeps the expiry.
    private Reply SetRange(byte[][] arguments, long nowMs, List<IShardEvent> events)
    {
        if (!IntegerText.TryParse(arguments[1], out var offset)) return Errors.NotInteger;
        if (offset < 0) return OffsetOutOfRange;
        var patch = arguments[2];
        var exists = TryGetLive(arguments[0], nowMs, out var stored);
        if (patch.Length == 0) return Reply.Integer(exists ? stored.Value.Length : 0);
        // Compared without adding: a huge offset plus the patch length would overflow.
        if (offset > MaxValueLength - patch.Length) return StringTooLong;

        var current = exists ? stored.Value : [];
        var value = new byte[Math.Max(current.Length, offset + patch.Length)];
        current.CopyTo(value);
        patch.CopyTo(value, (int)offset);
        Emit(events, new ValueSet(Epoch, arguments[0], value, exists ? stored.ExpireAtMs : 0));
        return Reply.Integer(value.Length);
    }

    // The result is stored as text, in the shortest form that reads back as the same number.
    private Reply IncrementByFloat(byte[][] arguments, long nowMs, List<IShardEvent> events)
    {
        if (!TryParseFloat(arguments[1], out var increment)) return Errors.NotFloat;
        var exists = TryGetLive(arguments[0], nowMs, out var stored);
        var current = 0.0;
        if (exists && !TryParseFloat(stored.Value, out current)) return Errors.NotFloat;
        var next = current + increment;
        if (!double.IsFinite(next)) return NotFinite;

        var text = System.Text.Encoding.ASCII.GetBytes(FormatFloat(next));
        Emit(events, new ValueSet(Epoch, arguments[0], text, exists ? stored.ExpireAtMs : 0));
        return new BulkReply(text);
    }

    // As Redis's string2ld: no spaces around the number; "inf" is a number, "nan" is not.
    private static bool TryParseFloat(ReadOnlySpan<byte> text, out double value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > 256 || char.IsWhiteSpace((char)text[0]) || char.IsWhiteSpace((char)text[^1])) return false;
        Span<char> chars = stackalloc char[text.Length];
        for (var i = 0; i < text.Length; i++) chars[i] = (char)text[i];
        if (chars.Equals("inf", StringComparison.OrdinalIgnoreCase) || chars.Equals("+inf", StringComparison.OrdinalIgnoreCase)) value = double.PositiveInfinity;
        else if (chars.Equals("-inf", StringComparison.OrdinalIgnoreCase)) value = double.NegativeInfinity;
        else if (!double.TryParse(chars, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out value)) return false;
        return !double.IsNaN(value);
    }

    // Plain decimal digits, never an exponent, as Redis prints (it uses long double; this is double precision).
    private static string FormatFloat(double value)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        if (!text.Contains('E', StringComparison.Ordinal)) return text;
        return Math.Abs(value) < 7.9e28
            ? ((decimal)value).ToString(CultureInfo.InvariantCulture)
            : value.ToString("F0", CultureInfo.InvariantCulture);
    }

    private Reply Set(byte[][] arguments, long nowMs, List<IShardEvent> events)
    {
        bool nx = false, xx = false, get = false, keepTtl = false, hasExpiry = false;
        byte[]? compareTo = null;
        long expireAt = 0;
        for (var i = 2; i < arguments.Length; i++)
        {
            var option = arguments[i];
            var hasNext = i + 1 < arguments.Length;
            if (Is(option, "NX"u8) && !xx && compareTo is null) nx = true;
            else if (Is(option, "XX"u8) && !nx && compareTo is null) xx = true;
            else if (Is(option, "GET"u8)) get = true;
            else if (Is(option, "KEEPTTL"u8) && !hasExpiry) keepTtl = true;
            else if (Is(option, "IFEQ"u8) && hasNext && !nx && !xx && compareTo is null) compareTo = arguments[++i];
            else if (hasNext && !hasExpiry && !keepTtl && ExpiryUnit(option) is var (unitMs, absolute) && unitMs != 0)
            {
                if (!IntegerText.TryParse(arguments[++i], out var amount)) return Errors.NotInteger;
                if (amount <= 0 || !TryExpireAt(amount, unitMs, absolute, nowMs, out expireAt)) return Errors.InvalidExpireTime("set");
                hasExpiry = true;
            }
            else return Errors.Syntax;
        }

        var exists = TryGetLive(arguments[0], nowMs, out var current);
        if (exists && (get || compareTo is not null) && !current.IsString) return Errors.WrongType;
        var old = get ? Reply.Bulk(exists ? current.Value.ToArray() : null) : null;
        if ((nx && exists) || (xx && !exists) || (compareTo is not null && (!exists || !current.Value.SequenceEqual(compareTo))))
            return old ?? Reply.Nil;

        if (keepTtl && exists) expireAt = current.ExpireAtMs;
        Emit(events, new ValueSet(Epoch, arguments[0], arguments[1], expireAt));
        return old ?? Reply.Ok;
    }

    private Reply SetWithExpiry(CommandId command, byte[][] arguments, long nowMs, List<IShardEvent> events)
    {
        var name = command == CommandId.SetEx ? "setex" : "psetex";
        if (!IntegerText.TryParse(arguments[1], out var amount)) return Errors.NotInteger;
        if (amount <= 0 || !TryExpireAt(amount, command == CommandId.SetEx ? 1000 : 1, false, nowMs, out var expireAt))
            return Errors.InvalidExpireTime(name);
        Emit(events, new ValueSet(Epoch, arguments[0], arguments[2], expireAt));
        return Reply.Ok;
    }

    private Reply GetEx(byte[][] arguments, long nowMs, List<IShardEvent> events)
    {
        long expireAt = 0;
        bool persist = false, hasExpiry = false;
        for (var i = 1; i < arguments.Length; i++)
        {
            var option = arguments[i];
            if (Is(option, "PERSIST"u8) && !hasExpiry) persist = true;
            else if (i + 1 < arguments.Length && !persist && !hasExpiry && ExpiryUnit(option) is var (unitMs, absolute) && unitMs != 0)
            {
                if (!IntegerText.TryParse(arguments[++i], out var amount)) return Errors.NotInteger;
                if (amount <= 0 || !TryExpireAt(amount, unitMs, absolute, nowMs, out expireAt)) return Errors.InvalidExpireTime("getex");
                hasExpiry = true;
            }
            else return Errors.Syntax;
        }

        if (!TryGetLive(arguments[0], nowMs, out var current)) return Reply.Nil;
        if (hasExpiry)
        {
            if (expireAt <= nowMs) Emit(events, new KeysDeleted(Epoch, [arguments[0]]));
            else Emit(events, new ExpirySet(Epoch, arguments[0], expireAt));
        }
        else if (persist && current.ExpireAtMs != 0)
        {
            Emit(events, new ExpirySet(Epoch, arguments[0], 0));
        }

        return current.ValueReply();
    }

    private Reply IncrementBy(byte[] key, long delta, long nowMs, List<IShardEvent> events)
    {
        long current = 0, expireAt = 0;
        if (TryGetLive(key, nowMs, out var stored))
        {
            if (!IntegerText.TryParse(stored.Value, out current)) return Errors.NotInteger;
            expireAt = stored.ExpireAtMs;
        }

        long next;
        try
        {
            next = checked(current + delta);
        }
        catch (OverflowException)
        {
            return Errors.Overflow;
        }

        Emit(events, new ValueSet(Epoch, key, IntegerText.Format(next), expireAt));
        return Reply.Integer(next);
    }
}
