using System.Buffers;
using AegisKV.Protocol;

namespace AegisKV.Core.Replies;

/// <summary>
/// A RESP2 reply produced by a command. Replies are immutable so shard actors can hand out
/// shared singletons (<see cref="Ok"/>, <see cref="Nil"/>) without allocating per request.
/// </summary>
public abstract record Reply
{
    /// <summary>The simple string reply <c>+OK</c>.</summary>
    public static readonly Reply Ok = new SimpleReply("OK"u8.ToArray());

    /// <summary>The null bulk string <c>$-1</c>.</summary>
    public static readonly Reply Nil = new BulkReply(null);

    /// <summary>The null array <c>*-1</c>.</summary>
    public static readonly Reply NilArray = new ArrayReply(null);

    /// <summary>The empty array <c>*0</c>.</summary>
    public static readonly Reply EmptyArray = new ArrayReply([]);

    /// <summary>The integer reply <c>:0</c>.</summary>
    public static readonly Reply Zero = new IntegerReply(0);

    /// <summary>The integer reply <c>:1</c>.</summary>
    public static readonly Reply One = new IntegerReply(1);

    /// <summary>Creates an integer reply, reusing the common 0 and 1 instances.</summary>
    public static Reply Integer(long value) => value switch { 0 => Zero, 1 => One, _ => new IntegerReply(value) };

    /// <summary>Creates a bulk string reply; <c>null</c> gives <see cref="Nil"/>.</summary>
    public static Reply Bulk(byte[]? value) => value is null ? Nil : new BulkReply(value);

    /// <summary>Encodes this reply as RESP2.</summary>
    public abstract void WriteTo(IBufferWriter<byte> writer);
}

/// <summary>A simple string such as <c>+OK</c>.</summary>
public sealed record SimpleReply(byte[] Value) : Reply
{
    /// <inheritdoc />
    public override void WriteTo(IBufferWriter<byte> writer) => RespWriter.WriteSimpleString(writer, Value);
}

/// <summary>An error reply; <see cref="Message"/> starts with its prefix (ERR, WRONGTYPE, OOM, …).</summary>
public sealed record ErrorReply(byte[] Message) : Reply
{
    /// <inheritdoc />
    public override void WriteTo(IBufferWriter<byte> writer) => RespWriter.WriteError(writer, Message);

    /// <summary>The message as text, for logs and tests.</summary>
    public override string ToString() => System.Text.Encoding.UTF8.GetString(Message);
}

/// <summary>An integer reply.</summary>
public sealed record IntegerReply(long Value) : Reply
{
    /// <inheritdoc />
    public override void WriteTo(IBufferWriter<byte> writer) => RespWriter.WriteInteger(writer, Value);
}

/// <summary>A bulk string; <c>null</c> is the null bulk string.</summary>
public sealed record BulkReply(byte[]? Value) : Reply
{
    /// <inheritdoc />
    public override void WriteTo(IBufferWriter<byte> writer)
    {
        if (Value is null) RespWriter.WriteNullBulkString(writer);
        else RespWriter.WriteBulkString(writer, Value);
    }
}

/// <summary>An array of replies; <c>null</c> is the null array.</summary>
public sealed record ArrayReply(Reply[]? Items) : Reply
{
    /// <inheritdoc />
    public override void WriteTo(IBufferWriter<byte> writer)
    {
        if (Items is null)
        {
            RespWriter.WriteNullArray(writer);
            return;
        }

        RespWriter.WriteArrayHeader(writer, Items.Length);
        foreach (var item in Items) item.WriteTo(writer);
    }
}
