using System.Globalization;
using System.Text;
using AegisKV.Core.Replies;
using KeraLua;

namespace AegisKV.Scripting;

// Redis's conversion rules between RESP2 replies and Lua values, both ways.
internal static class LuaValues
{
    private const int MaxDepth = 64;

    /// <summary>Pushes <paramref name="reply"/> as Redis gives it to a script.</summary>
    public static void Push(Lua lua, Reply reply, int depth = 0)
    {
        lua.CheckStack(4);
        switch (reply)
        {
            case IntegerReply integer:
                lua.PushInteger(integer.Value);
                break;
            case BulkReply { Value: { } value }:
                lua.PushBuffer(value);
                break;
            case BulkReply:
            case ArrayReply { Items: null }:
                lua.PushBoolean(false);
                break;
            case ArrayReply { Items: { } items }:
                PushArray(lua, items, depth);
                break;
            case MapReply map:
                PushArray(lua, map.Items, depth);
                break;
            case PairsReply pairs:
                PushArray(lua, pairs.Items, depth);
                break;
            case SimpleReply simple:
                PushField(lua, "ok", simple.Value);
                break;
            case ErrorReply error:
                PushField(lua, "err", error.Message);
                break;
            default:
                lua.PushBoolean(false);
                break;
        }
    }

    private static void PushArray(Lua lua, Reply[] items, int depth)
    {
        lua.CreateTable(items.Length, 0);
        for (var i = 0; i < items.Length; i++)
        {
            Push(lua, items[i], depth + 1);
            lua.RawSetInteger(-2, i + 1);
        }
    }

    private static void PushField(Lua lua, string name, byte[] value)
    {
        lua.CreateTable(0, 1);
        lua.PushBuffer(value);
        lua.SetField(-2, name);
    }

    /// <summary>The reply Redis makes of the Lua value at <paramref name="index"/>.</summary>
    public static Reply ToReply(Lua lua, int index, int depth = 0)
    {
        index = lua.AbsIndex(index);
        switch (lua.Type(index))
        {
            case LuaType.Number:
                // Floats are truncated, as Redis converts them.
                return Reply.Integer(lua.IsInteger(index) ? lua.ToInteger(index) : (long)lua.ToNumber(index));
            case LuaType.String:
                return new BulkReply(lua.ToBuffer(index, false));
            case LuaType.Boolean:
                return lua.ToBoolean(index) ? Reply.One : Reply.Nil;
            case LuaType.Table when depth > MaxDepth:
                return Errors.Text("ERR reached lua stack limit");
            case LuaType.Table:
                return TableToReply(lua, index, depth);
            default:
                return Reply.Nil;
        }
    }

    private static Reply TableToReply(Lua lua, int index, int depth)
    {
        lua.CheckStack(4);
        if (RawString(lua, index, "err") is { } error) return new ErrorReply(error);
        if (RawString(lua, index, "ok") is { } status) return new SimpleReply(status);
        var items = new List<Reply>();
        // An array ends at its first nil, as Redis reads it.
        for (var i = 1; ; i++)
        {
            if (lua.RawGetInteger(index, i) == LuaType.Nil)
            {
                lua.Pop(1);
                break;
            }

            items.Add(ToReply(lua, -1, depth + 1));
            lua.Pop(1);
        }

        return new ArrayReply([.. items]);
    }

    private static byte[]? RawString(Lua lua, int index, string field)
    {
        lua.PushString(field);
        var type = lua.RawGet(index);
        var value = type == LuaType.String ? lua.ToBuffer(-1, false) : null;
        lua.Pop(1);
        return value;
    }

    /// <summary>The argument at <paramref name="index"/> as a command argument; null unless a string or a number.</summary>
    public static byte[]? ToArgument(Lua lua, int index)
    {
        switch (lua.Type(index))
        {
            case LuaType.String:
                return lua.ToBuffer(index, false);
            case LuaType.Number when lua.IsInteger(index):
                return Encoding.ASCII.GetBytes(lua.ToInteger(index).ToString(CultureInfo.InvariantCulture));
            case LuaType.Number:
                var number = lua.ToNumber(index);
                // As Lua 5.1 prints a number: integers without a fraction, others with 17 digits.
                return Encoding.ASCII.GetBytes(number == Math.Floor(number) && Math.Abs(number) < 1e15
                    ? ((long)number).ToString(CultureInfo.InvariantCulture)
                    : number.ToString("G17", CultureInfo.InvariantCulture));
            default:
                return null;
        }
    }
}
