using AegisKV.Core.Commands;
using AegisKV.Core.Replies;

namespace AegisKV.Core.State;

// Bit commands on strings: SETBIT, GETBIT, BITCOUNT, BITPOS, BITFIELD(_RO). Bit 0 is the most
// significant bit of the first byte, as in Redis; bits past the end of a value read as 0.
public sealed partial class ShardState
{
    private const long MaxBitOffset = MaxValueLength * 8 - 1;
    private static readonly ErrorReply BadBitOffset = Errors.Text("ERR bit offset is not an integer or out of range");
    private static readonly ErrorReply BadBit = Errors.Text("ERR bit is not an integer or out of range");
    private static readonly ErrorReply BadBitArgument = Errors.Text("ERR The bit argument must be 1 or 0.");
    private static readonly ErrorReply BadBitfieldType = Errors.Text("ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.");
    private static readonly ErrorReply BadOverflow = Errors.Text("ERR Invalid OVERFLOW type specified");

    private byte[] StringOrEmpty(byte[] key, long nowMs, out long expireAtMs)
    {
        if (TryGetLive(key, nowMs, out var stored))
        {
            expireAtMs = stored.ExpireAtMs;
            return stored.Value.ToArray();
        }

        expireAtMs = 0;
        return [];
    }

    private Reply SetBit(byte[][] arguments, long nowMs, List<IShardEvent> events)
    {
        if (!TryParseBitOffset(arguments[1], 1, out var offset)) return BadBitOffset;
        if (arguments[2] is not [(byte)'0' or (byte)'1']) return BadBit;
        var current = StringOrEmpty(arguments[0], nowMs, out var expireAt);
        var old = ReadBits(current, offset, 1);
        var value = new byte[Math.Max(current.Length, (int)(offset >> 3) + 1)];
        current.CopyTo(value, 0);
        WriteBits(value, offset, 1, arguments[2][0] == (byte)'1' ? 1UL : 0UL);
        Emit(events, new ValueSet(Epoch, arguments[0], value, expireAt));
        return Reply.Integer((long)old);
    }

    private Reply GetBit(byte[][] arguments, long nowMs)
    {
        if (!TryParseBitOffset(arguments[1], 1, out var offset)) return BadBitOffset;
        return Reply.Integer((long)ReadBits(StringOrEmpty(arguments[0], nowMs, out _), offset, 1));
    }

    private Reply BitCount(byte[][] arguments, long nowMs)
    {
        if (arguments.Length == 2 || arguments.Length > 4) return Errors.Syntax;
        var value = StringOrEmpty(arguments[0], nowMs, out _);
        long first = 0, last = (long)value.Length * 8 - 1;
        if (arguments.Length >= 3)
        {
            if (!IntegerText.TryParse(arguments[1], out var start) || !IntegerText.TryParse(arguments[2], out var end)) return Errors.NotInteger;
            var bits = arguments.Length == 4 && Is(arguments[3], "BIT"u8);
            if (arguments.Length == 4 && !bits && !Is(arguments[3], "BYTE"u8)) return Errors.Syntax;
            if (!ClampRange(ref start, ref end, bits ? (long)value.Length * 8 : value.Length)) return Reply.Zero;
            (first, last) = bits ? (start, end) : (start * 8, end * 8 + 7);
        }

        long count = 0;
        for (var bit = first; bit <= last;)
        {
            if ((bit & 7) == 0 && bit + 7 <= last)
            {
                count += System.Numerics.BitOperations.PopCount(value[bit >> 3]);
                bit += 8;
            }
            else
            {
                count += (long)ReadBits(value, bit, 1);
                bit++;
            }
        }

        return Reply.Integer(count);
    }

    private Reply BitPos(byte[][] arguments, long nowMs)
    {
        if (arguments[1] is not [(byte)'0' or (byte)'1']) return BadBitArgument;
        var wanted = arguments[1][0] == (byte)'1' ? 1UL : 0UL;
        if (arguments.Length > 5) return Errors.Syntax;
        var exists = TryGetLive(arguments[0], nowMs, out var stored);
        var value = exists ? stored.Value : [];
        var bits = arguments.Length == 5 && Is(arguments[4], "BIT"u8);
        if (arguments.Length == 5 && !bits && !Is(arguments[4], "BYTE"u8)) return Errors.Syntax;
        long start = 0, end = -1;
        if (arguments.Length >= 3 && !IntegerText.TryParse(arguments[2], out start)) return Errors.NotInteger;
        if (arguments.Length >= 4 && !IntegerText.TryParse(arguments[3], out end)) return Errors.NotInteger;
        if (!exists) return Reply.Integer(wanted == 1 ? -1 : 0);
        var total = bits ? (long)value.Length * 8 : value.Length;
        if (!ClampRange(ref start, ref end, total)) return Reply.Integer(-1);
        var (first, last) = bits ? (start, end) : (start * 8, end * 8 + 7);
        for (var bit = first; bit <= last; bit++)
            if (ReadBits(value, bit, 1) == wanted) return Reply.Integer(bit);
        // Looking for a 0 with no end given: the value continues with zero bits after its end.
        return Reply.Integer(wanted == 0 && arguments.Length < 4 ? last + 1 : -1);
    }

    // Negative indexes count from the end; both are clamped; false when the range is empty.
    private static bool ClampRange(ref long start, ref long end, long length)
    {
        if (start < 0) start = Math.Max(0, length + start);
        if (end < 0) end = Math.Max(0, length + end);
        end = Math.Min(end, length - 1);
        return length > 0 && start <= end;
    }

    private static bool TryParseBitOffset(byte[] text, int width, out long offset)
    {
        var multiply = text is [(byte)'#', ..];
        if (!IntegerText.TryParse(multiply ? text.AsSpan(1) : text, out offset) || offset < 0) return false;
        if (multiply)
        {
            if (offset > MaxBitOffset / width) return false;
            offset *= width;
        }

        return offset + width - 1 <= MaxBitOffset;
    }

    private static ulong ReadBits(ReadOnlySpan<byte> value, long offset, int width)
    {
        ulong result = 0;
        for (var i = 0; i < width; i++)
        {
            var bit = offset + i;
            var index = bit >> 3;
            var set = index < value.Length && ((value[(int)index] >> (7 - (int)(bit & 7))) & 1) != 0;
            result = (result << 1) | (set ? 1UL : 0UL);
        }

        return result;
    }

    private static void WriteBits(Span<byte> value, long offset, int width, ulong bits)
    {
        for (var i = 0; i < width; i++)
        {
            var bit = offset + i;
            var mask = (byte)(1 << (7 - (int)(bit & 7)));
            if (((bits >> (width - 1 - i)) & 1) != 0) value[(int)(bit >> 3)] |= mask;
            else value[(int)(bit >> 3)] &= (byte)~mask;
        }
    }
}
