using AegisKV.Core.Commands;
using AegisKV.Core.Replies;

namespace AegisKV.Core.State;

// The list commands, with Redis 7's replies. Every change is one of four list events naming what changed,
// never the whole list, so the WAL grows with the change. A list the command did not see starts afresh with a
// delete first, as hashes do (ShardState.Hashes.cs).
public sealed partial class ShardState
{
    /// <summary>
    /// What a blocking pop (BLPOP and kin) answers when every list it names is empty: never sent to a client, it
    /// tells the shard to hold the client until a push serves it or its timeout passes.
    /// </summary>
    public static readonly Reply Blocked = new SimpleReply("BLOCKED"u8.ToArray());

    private static readonly Reply TypeList = new SimpleReply("list"u8.ToArray());
    private static readonly ErrorReply IndexOutOfRange = Errors.Text("ERR index out of range");
    private static readonly ErrorReply MustBePositive = Errors.Text("ERR value is out of range, must be positive");
    private static readonly ErrorReply CountNotPositive = Errors.Text("ERR count should be greater than 0");

    private Reply ExecuteList(CommandId command, byte[][] arguments, long nowMs, List<IShardEvent> events)
    {
        switch (command)
        {
            case CommandId.LPush:
            case CommandId.RPush:
            case CommandId.LPushX:
            case CommandId.RPushX:
            {
                if (!TryList(arguments[0], nowMs, out var list)) return Errors.WrongType;
                if (list is null && command is CommandId.LPushX or CommandId.RPushX) return Reply.Zero;
                Push(arguments[0], list, command is CommandId.LPush or CommandId.LPushX, arguments[1..], events);
                return Reply.Integer((list?.Count ?? 0) + arguments.Length - 1);
            }
            case CommandId.LPop:
            case CommandId.RPop:
                return PopCommand(arguments, command == CommandId.LPop, nowMs, events);
            case CommandId.LMove:
            case CommandId.RPopLPush:
            case CommandId.BLMove:
            case CommandId.BRPopLPush:
                return Move(command, arguments, nowMs, events);
            case CommandId.LMPop:
            case CommandId.BLMPop:
                return MultiPop(arguments, command == CommandId.BLMPop, nowMs, events);
            case CommandId.BLPop:
            case CommandId.BRPop:
                return BlockingPop(arguments, command == CommandId.BLPop, nowMs, events);
        }

        // The single-key commands below.
        if (!TryList(arguments[0], nowMs, out var held)) return Errors.WrongType;
        return command switch
        {
            CommandId.LLen => Reply.Integer(held?.Count ?? 0),
            CommandId.LRange => Range(held, arguments),
            CommandId.LIndex => Index(held, arguments[1]),
            CommandId.LSet => SetElement(arguments, held, events),
            CommandId.LRem => RemoveElements(arguments, held, events),
            CommandId.LTrim => Trim(arguments, held, events),
            CommandId.LInsert => Insert(arguments, held, events),
            CommandId.LPos => Position(arguments, held),
            _ => Errors.Text($"ERR command {command} is not a list command"),
        };
    }

    /// <summary>True when <paramref name="key"/> holds a list (a list is never empty); for waking blocked clients.</summary>
    public bool HoldsList(byte[] key, long nowMs) => TryPeekLive(key, nowMs, out var stored) && stored.Object is ListValue;

    // False when the key holds another type; a missing or expired key is a null list.
    private bool TryList(byte[] key, long nowMs, out ListValue? list)
    {
        list = null;
        if (!TryGetLive(key, nowMs, out var stored)) return true;
        list = stored.Object as ListValue;
        return list is not null;
    }

    private static long NextGeneration(ListValue? list) => (list?.Generation ?? 0) + 1;

    private void Push(byte[] key, ListValue? list, bool left, byte[][] elements, List<IShardEvent> events)
    {
        if (list is null) Emit(events, new KeysDeleted(Epoch, [key]));
        Emit(events, new ListPushed(Epoch, key, left, elements, NextGeneration(list)));
    }

    // Takes up to count elements off one end, in the order they come off.
    private byte[][] Pop(byte[] key, ListValue list, bool left, long count, List<IShardEvent> events)
    {
        var taken = (int)Math.Min(count, list.Count);
        var popped = new byte[taken][];
        for (var i = 0; i < taken; i++) popped[i] = list[left ? i : list.Count - 1 - i];
        Emit(events, new ListTrimmed(Epoch, key, left ? taken : 0, list.Count - taken, NextGeneration(list)));
        return popped;
    }

    // LPOP / RPOP key [count]
    private Reply PopCommand(byte[][] arguments, bool left, long nowMs, List<IShardEvent> events)
    {
        if (arguments.Length > 2) return Errors.WrongArity(left ? "lpop" : "rpop");
        long count = 1;
        var hasCount = arguments.Length == 2;
        if (hasCount && (!IntegerText.TryParse(arguments[1], out count) || count < 0)) return MustBePositive;
        if (!TryList(arguments[0], nowMs, out var list)) return Errors.WrongType;
        if (list is null) return hasCount ? Reply.NilArray : Reply.Nil;
        if (hasCount && count == 0) return Reply.EmptyArray;
        var popped = Pop(arguments[0], list, left, count, events);
        return hasCount ? Elements(popped) : new BulkReply(popped[0]);
    }

    private static Reply Elements(IReadOnlyList<byte[]> elements)
    {
        var items = new Reply[elements.Count];
        for (var i = 0; i < items.Length; i++) items[i] = new BulkReply(elements[i]);
        return new ArrayReply(items);
    }

    // LMOVE / BLMOVE source destination LEFT|RIGHT LEFT|RIGHT [timeout]; RPOPLPUSH / BRPOPLPUSH source destination [timeout].
    private Reply Move(CommandId command, byte[][] arguments, long nowMs, List<IShardEvent> events)
    {
        bool fromLeft = false, toLeft = true;
        if (command is CommandId.LMove or CommandId.BLMove && (!TryEnd(arguments[2], out fromLeft) || !TryEnd(arguments[3], out toLeft)))
            return Errors.Syntax;
        var blocking = command is CommandId.BLMove or CommandId.BRPopLPush;
        if (blocking && BlockingTimeout.Parse(arguments[^1], out _) is { } badTimeout) return badTimeout;
        if (!TryList(arguments[0], nowMs, out var source)) return Errors.WrongType;
        if (source is null) return blocking ? Blocked : Reply.Nil;
        if (!TryList(arguments[1], nowMs, out _)) return Errors.WrongType;
        var element = Pop(arguments[0], source, fromLeft, 1, events)[0];
        // Seen after the pop: when source and destination are one list, the push follows the pop.
        TryList(arguments[1], nowMs, out var destination);
        Push(arguments[1], destination, toLeft, [element], events);
        return new BulkReply(element);
    }

    // BLPOP / BRPOP key [key ...] timeout: the first non-empty list, in the order named.
    private Reply BlockingPop(byte[][] arguments, bool left, long nowMs, List<IShardEvent> events)
    {
        if (BlockingTimeout.Parse(arguments[^1], out _) is { } badTimeout) return badTimeout;
        for (var i = 0; i < arguments.Length - 1; i++)
        {
            if (!TryList(arguments[i], nowMs, out var list)) return Errors.WrongType;
            if (list is null) continue;
            return new ArrayReply([new BulkReply(arguments[i]), new BulkReply(Pop(arguments[i], list, left, 1, events)[0])]);
        }

        return Blocked;
    }

    // LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]; BLMPOP timeout numkeys …
    private Reply MultiPop(byte[][] arguments, bool blocking, long nowMs, List<IShardEvent> events)
    {
        var at = 0;
        if (blocking && BlockingTimeout.Parse(arguments[at++], out _) is { } badTimeout) return badTimeout;
        if (!IntegerText.TryParse(arguments[at], out var keys) || keys <= 0) return Errors.Text("ERR numkeys should be greater than 0");
        if (keys > arguments.Length - at - 1) return Errors.Text("ERR Number of keys can't be greater than number of args");
        var firstKey = at + 1;
        var next = firstKey + (int)keys;
        if (next >= arguments.Length || !TryEnd(arguments[next], out var left)) return Errors.Syntax;
        long count = 1;
        var options = arguments.Length - next - 1;
        if (options != 0 && (options != 2 || !Is(arguments[next + 1], "COUNT"u8))) return Errors.Syntax;
        if (options == 2 && (!IntegerText.TryParse(arguments[next + 2], out count) || count <= 0)) return CountNotPositive;

        for (var i = firstKey; i < next; i++)
        {
            if (!TryList(arguments[i], nowMs, out var list)) return Errors.WrongType;
            if (list is null) continue;
            return new ArrayReply([new BulkReply(arguments[i]), Elements(Pop(arguments[i], list, left, count, events))]);
        }

        return blocking ? Blocked : Reply.NilArray;
    }

    private static bool TryEnd(byte[] argument, out bool left)
    {
        left = Is(argument, "LEFT"u8);
        return left || Is(argument, "RIGHT"u8);
    }

    // Redis's index rules: negative counts from the tail; the range is clipped to the list.
    private static bool TryClip(byte[] startText, byte[] stopText, int length, out int start, out int count, out Reply? error)
    {
        start = count = 0;
        error = null;
        if (!IntegerText.TryParse(startText, out var from) || !IntegerText.TryParse(stopText, out var to))
        {
            error = Errors.NotInteger;
            return false;
        }

        if (from < 0) from += length;
        if (to < 0) to += length;
        if (from < 0) from = 0;
        if (from > to || from >= length) return true;
        if (to >= length) to = length - 1;
        start = (int)from;
        count = (int)(to - from + 1);
        return true;
    }

    private static Reply Range(ListValue? list, byte[][] arguments)
    {
        if (!TryClip(arguments[1], arguments[2], list?.Count ?? 0, out var start, out var count, out var error)) return error!;
        if (list is null || count == 0) return Reply.EmptyArray;
        return Elements(list.Items.GetRange(start, count));
    }

    private static Reply Index(ListValue? list, byte[] indexText)
    {
        if (!IntegerText.TryParse(indexText, out var index)) return Errors.NotInteger;
        if (list is null) return Reply.Nil;
        if (index < 0) index += list.Count;
        return index >= 0 && index < list.Count ? new BulkReply(list[(int)index]) : Reply.Nil;
    }

    private Reply SetElement(byte[][] arguments, ListValue? list, List<IShardEvent> events)
    {
        if (!IntegerText.TryParse(arguments[1], out var index)) return Errors.NotInteger;
        if (list is null) return NoSuchKey;
        if (index < 0) index += list.Count;
        if (index < 0 || index >= list.Count) return IndexOutOfRange;
        Emit(events, new ListSpliced(Epoch, arguments[0], (int)index, 1, [arguments[2]], NextGeneration(list)));
        return Reply.Ok;
    }

    // LREM key count element: count > 0 from the head, < 0 from the tail, 0 every match.
    private Reply RemoveElements(byte[][] arguments, ListValue? list, List<IShardEvent> events)
    {
        if (!IntegerText.TryParse(arguments[1], out var count)) return Errors.NotInteger;
        if (list is null) return Reply.Zero;
        var limit = count == 0 ? long.MaxValue : Math.Abs(count == long.MinValue ? long.MaxValue : count);
        var found = new List<int>();
        var element = arguments[2];
        if (count >= 0)
        {
            var i = 0;
            foreach (var item in list.Items)
            {
                if (found.Count >= limit) break;
                if (item.AsSpan().SequenceEqual(element)) found.Add(i);
                i++;
            }
        }
        else
        {
            for (var i = list.Count - 1; i >= 0 && found.Count < limit; i--)
                if (list[i].AsSpan().SequenceEqual(element)) found.Add(i);
            found.Reverse();
        }

        if (found.Count > 0) Emit(events, new ListElementsRemoved(Epoch, arguments[0], [.. found], NextGeneration(list)));
        return Reply.Integer(found.Count);
    }

    private Reply Trim(byte[][] arguments, ListValue? list, List<IShardEvent> events)
    {
        if (!TryClip(arguments[1], arguments[2], list?.Count ?? 0, out var start, out var count, out var error)) return error!;
        if (list is null || (start == 0 && count == list.Count)) return Reply.Ok;
        Emit(events, new ListTrimmed(Epoch, arguments[0], start, count, NextGeneration(list)));
        return Reply.Ok;
    }

    // LINSERT key BEFORE|AFTER pivot element
    private Reply Insert(byte[][] arguments, ListValue? list, List<IShardEvent> events)
    {
        var after = Is(arguments[1], "AFTER"u8);
        if (!after && !Is(arguments[1], "BEFORE"u8)) return Errors.Syntax;
        if (list is null) return Reply.Zero;
        var index = 0;
        foreach (var item in list.Items)
        {
            if (item.AsSpan().SequenceEqual(arguments[2]))
            {
                Emit(events, new ListSpliced(Epoch, arguments[0], after ? index + 1 : index, 0, [arguments[3]], NextGeneration(list)));
                return Reply.Integer(list.Count + 1);
            }

            index++;
        }

        return Reply.Integer(-1);
    }

    private static Reply TypeOf(object? data) => data switch
    {
        HashValue => TypeHash,
        ListValue => TypeList,
        _ => TypeString,
    };
}
