using AegisKV.Core.Commands;
using AegisKV.Core.Replies;

namespace AegisKV.Core.State;

// BITFIELD and BITFIELD_RO: integers of 1 to 64 bits (unsigned up to 63) at any bit offset, with
// Redis's WRAP, SAT and FAIL overflow rules for SET and INCRBY.
public sealed partial class ShardState
{
    private enum Overflow : byte
    {
        Wrap,
        Saturate,
        Fail,
    }

    private readonly record struct BitfieldOp(byte Kind, bool Signed, int Width, long Offset, long Value, Overflow Overflow);

    private Reply Bitfield(byte[][] arguments, bool readOnly, long nowMs, List<IShardEvent> events)
    {
        var ops = new List<BitfieldOp>();
        var overflow = Overflow.Wrap;
        var writes = false;
        for (var i = 1; i < arguments.Length; i++)
        {
            var remaining = arguments.Length - i - 1;
            if (Is(arguments[i], "OVERFLOW"u8) && remaining >= 1)
            {
                if (Is(arguments[++i], "WRAP"u8)) overflow = Overflow.Wrap;
                else if (Is(arguments[i], "SAT"u8)) overflow = Overflow.Saturate;
                else if (Is(arguments[i], "FAIL"u8)) overflow = Overflow.Fail;
                else return BadOverflow;
                continue;
            }

            byte kind = Is(arguments[i], "GET"u8) && remaining >= 2 ? (byte)'g'
                : Is(arguments[i], "SET"u8) && remaining >= 3 ? (byte)'s'
                : Is(arguments[i], "INCRBY"u8) && remaining >= 3 ? (byte)'i'
                : (byte)0;
            if (kind == 0) return Errors.Syntax;
            if (!TryParseBitfieldType(arguments[i + 1], out var signed, out var width)) return BadBitfieldType;
            if (!TryParseBitOffset(arguments[i + 2], width, out var offset)) return BadBitOffset;
            long value = 0;
            if (kind != (byte)'g' && !IntegerText.TryParse(arguments[i + 3], out value)) return Errors.NotInteger;
            if (kind != (byte)'g' && readOnly) return Errors.Text("ERR BITFIELD_RO only supports the GET subcommand");
            writes |= kind != (byte)'g';
            ops.Add(new BitfieldOp(kind, signed, width, offset, value, overflow));
            i += kind == (byte)'g' ? 2 : 3;
        }

        var current = StringOrEmpty(arguments[0], nowMs, out var expireAt);
        var value2 = current;
        if (writes)
        {
            long needed = 0;
            foreach (var op in ops)
                if (op.Kind != (byte)'g') needed = Math.Max(needed, ((op.Offset + op.Width - 1) >> 3) + 1);
            value2 = new byte[Math.Max(current.Length, needed)];
            current.CopyTo(value2, 0);
        }

        var replies = new Reply[ops.Count];
        var changed = false;
        for (var k = 0; k < ops.Count; k++)
        {
            var op = ops[k];
            var old = ReadField(value2, op);
            if (op.Kind == (byte)'g')
            {
                replies[k] = Reply.Integer(old);
                continue;
            }

            var target = op.Kind == (byte)'s' ? (Int128)op.Value : (Int128)old + op.Value;
            if (!FitField(target, op, out var stored))
            {
                replies[k] = Reply.Nil;
                continue;
            }

            WriteBits(value2, op.Offset, op.Width, (ulong)stored & WidthMask(op.Width));
            changed = true;
            replies[k] = Reply.Integer(op.Kind == (byte)'s' ? old : stored);
        }

        if (changed) Emit(events, new ValueSet(Epoch, arguments[0], value2, expireAt));
        return new ArrayReply(replies);
    }

    private static ulong WidthMask(int width) => width == 64 ? ulong.MaxValue : (1UL << width) - 1;

    private static long ReadField(byte[] value, BitfieldOp op)
    {
        var raw = ReadBits(value, op.Offset, op.Width);
        if (!op.Signed || op.Width == 64) return (long)raw;
        // Sign-extend from the field's top bit.
        var shift = 64 - op.Width;
        return (long)(raw << shift) >> shift;
    }

    // The value a field takes for target under the op's overflow rule; false for FAIL on overflow.
    private static bool FitField(Int128 target, BitfieldOp op, out long stored)
    {
        Int128 min = op.Signed ? -((Int128)1 << (op.Width - 1)) : 0;
        Int128 max = op.Signed ? ((Int128)1 << (op.Width - 1)) - 1 : ((Int128)1 << op.Width) - 1;
        stored = 0;
        if (target >= min && target <= max)
        {
            stored = (long)target;
            return true;
        }

        switch (op.Overflow)
        {
            case Overflow.Saturate:
                stored = (long)(target > max ? max : min);
                return true;
            case Overflow.Wrap:
                var wrapped = (ulong)(target & (Int128)WidthMask(op.Width));
                stored = op.Signed && op.Width < 64 ? (long)(wrapped << (64 - op.Width)) >> (64 - op.Width) : (long)wrapped;
                return true;
            default:
                return false;
        }
    }

    private static bool TryParseBitfieldType(ReadOnlySpan<byte> text, out bool signed, out int width)
    {
        signed = text.Length > 0 && (text[0] | 0x20) == 'i';
        width = 0;
        if (text.Length < 2 || (!signed && (text[0] | 0x20) != 'u') || !IntegerText.TryParse(text[1..], out var bits)) return false;
        width = (int)bits;
        return bits >= 1 && (signed ? bits <= 64 : bits <= 63);
    }
}
