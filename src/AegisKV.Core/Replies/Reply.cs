using System.Buffers;
using AegisKV.Protocol;

namespace AegisKV.Core.Replies;

/// <summary>
/// A reply produced by a command, written as RESP2 or, on a connection that said <c>HELLO 3</c>, RESP3. Replies are immutable so shard actors can hand out
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
    public void WriteTo(IBufferWriter<byte> writer) => WriteTo(writer, 2);

    /// <summary>Encodes this reply in protocol version <paramref name="protocol"/> (2 or 3).</summary>
    public abstract void WriteTo(IBufferWriter<byte> writer, int protocol);
}

/// <summary>A simple string such as <c>+OK</c>.</summary>
public sealed record SimpleReply(byte[] Value) : Reply
{
    /// <inheritdoc />
    public override void WriteTo(IBufferWriter<byte> writer, int protocol) => RespWriter.WriteSimpleString(writer, Value);
}

/// <summary>An error reply; <see cref="Message"/> starts with its prefix (ERR, WRONGTYPE, OOM, …).</summary>
public sealed record ErrorReply(byte[] Message) : Reply
{
    /// <inheritdoc />
    public override void WriteTo(IBufferWriter<byte> writer, int protocol) => RespWriter.WriteError(writer, Message);

    /// <summary>The message as text, for logs and tests.</summary>
    public override string ToString() => System.Text.Encoding.UTF8.GetString(Message);
}

/// <summary>An integer reply.</summary>
public sealed record IntegerReply(long Value) : Reply
{
    /// <inheritdoc />
    public override void WriteTo(IBufferWriter<byte> writer, int protocol) => RespWriter.WriteInteger(writer, Value);
}

/// <summary>A bulk string; <c>null</c> is the null bulk string.</summary>
public sealed record BulkReply : Reply
{
    // A string read from a shard's map is part of its key's record: written from there, copied only if asked for.
    private readonly byte[]? _array;
    private readonly int _start;
    private readonly int _length;

    /// <summary>The bulk string <paramref name="value"/>; <c>null</c> is the null bulk string.</summary>
    public BulkReply(byte[]? value)
    {
        _array = value;
        _length = value?.Length ?? 0;
    }

    /// <summary>The bulk string of <paramref name="length"/> bytes at <paramref name="start"/> in <paramref name="array"/>, which must never change.</summary>
    public BulkReply(byte[] array, int start, int length)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)start + (ulong)(uint)length, (ulong)array.Length, nameof(length));
        _array = array;
        _start = start;
        _length = length;
    }

    /// <summary>The string; <c>null</c> for the null bulk string. A string over part of an array is copied out.</summary>
    public byte[]? Value => _array is null || (_start == 0 && _length == _array.Length) ? _array : Span.ToArray();

    /// <summary>The string's bytes; empty for the null bulk string.</summary>
    public ReadOnlySpan<byte> Span => _array.AsSpan(_start, _length);

    /// <summary>True for the null bulk string.</summary>
    public bool IsNull => _array is null;

    /// <inheritdoc />
    public override void WriteTo(IBufferWriter<byte> writer, int protocol)
    {
        if (_array is not null) RespWriter.WriteBulkString(writer, Span);
        else if (protocol >= 3) RespWriter.WriteNull(writer);
        else RespWriter.WriteNullBulkString(writer);
    }
}

/// <summary>An array of replies; <c>null</c> is the null array.</summary>
public sealed record ArrayReply(Reply[]? Items) : Reply
{
    /// <inheritdoc />
    public override void WriteTo(IBufferWriter<byte> writer, int protocol)
    {
        if (Items is null)
        {
            if (protocol >= 3) RespWriter.WriteNull(writer);
            else RespWriter.WriteNullArray(writer);
            return;
        }

        RespWriter.WriteArrayHeader(writer, Items.Length);
        foreach (var item in Items) item.WriteTo(writer, protocol);
    }
}

/// <summary>
/// Key-value pairs (<see cref="Items"/>: key, value, key, value, …): a RESP3 map, or in RESP2 the flat
/// array Redis sends (HGETALL, CONFIG GET, HELLO).
/// </summary>
public sealed record MapReply(Reply[] Items) : Reply
{
    /// <inheritdoc />
    public override void WriteTo(IBufferWriter<byte> writer, int protocol)
    {
        if (protocol >= 3) RespWriter.WriteAggregateHeader(writer, (byte)'%', Items.Length / 2);
        else RespWriter.WriteArrayHeader(writer, Items.Length);
        foreach (var item in Items) item.WriteTo(writer, protocol);
    }
}

/// <summary>
/// Pairs (<see cref="Items"/>: first, second, first, second, …) that RESP3 sends as an array of
/// two-element arrays and RESP2 as one flat array (HRANDFIELD … WITHVALUES).
/// </summary>
public sealed record PairsReply(Reply[] Items) : Reply
{
    /// <inheritdoc />
    public override void WriteTo(IBufferWriter<byte> writer, int protocol)
    {
        if (protocol < 3)
        {
            RespWriter.WriteArrayHeader(writer, Items.Length);
            foreach (var item in Items) item.WriteTo(writer, protocol);
            return;
        }

        RespWriter.WriteArrayHeader(writer, Items.Length / 2);
        for (var i = 0; i + 1 < Items.Length; i += 2)
        {
            RespWriter.WriteArrayHeader(writer, 2);
            Items[i].WriteTo(writer, protocol);
            Items[i + 1].WriteTo(writer, protocol);
        }
    }
}
