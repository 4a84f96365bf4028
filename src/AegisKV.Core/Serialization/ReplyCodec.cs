using AegisKV.Core.Replies;

namespace AegisKV.Core.Serialization;

/// <summary>Replies as a shard sends them to a connection on another node. The tags are written wherever a reply goes: never change one's meaning.</summary>
internal static class ReplyCodec
{
    private const byte SimpleTag = 1, ErrorTag = 2, IntegerTag = 3, BulkTag = 4, NilBulkTag = 5, ArrayTag = 6, NilArrayTag = 7, MapTag = 8, PairsTag = 9;

    public static void Write(WireWriter w, Reply reply)
    {
        switch (reply)
        {
            case SimpleReply simple:
                w.Byte(SimpleTag);
                w.Bytes(simple.Value);
                break;
            case ErrorReply error:
                w.Byte(ErrorTag);
                w.Bytes(error.Message);
                break;
            case IntegerReply integer:
                w.Byte(IntegerTag);
                w.Int64(integer.Value);
                break;
            case BulkReply { IsNull: true }:
                w.Byte(NilBulkTag);
                break;
            case BulkReply bulk:
                w.Byte(BulkTag);
                w.Bytes(bulk.Span);
                break;
            case ArrayReply { Items: null }:
                w.Byte(NilArrayTag);
                break;
            case ArrayReply array:
                WriteItems(w, ArrayTag, array.Items);
                break;
            case MapReply map:
                WriteItems(w, MapTag, map.Items);
                break;
            case PairsReply pairs:
                WriteItems(w, PairsTag, pairs.Items);
                break;
            default:
                throw new ArgumentException($"Cannot serialize reply {reply.GetType()}", nameof(reply));
        }
    }

    public static Reply Read(ref WireReader r) => r.Byte() switch
    {
        SimpleTag => new SimpleReply(r.Bytes()),
        ErrorTag => new ErrorReply(r.Bytes()),
        IntegerTag => Reply.Integer(r.Int64()),
        BulkTag => new BulkReply(r.Bytes()),
        NilBulkTag => Reply.Nil,
        NilArrayTag => Reply.NilArray,
        ArrayTag => new ArrayReply(ReadAll(ref r)),
        MapTag => new MapReply(ReadAll(ref r)),
        PairsTag => new PairsReply(ReadAll(ref r)),
        var tag => throw new System.Runtime.Serialization.SerializationException($"Unknown reply tag {tag}"),
    };

    private static void WriteItems(WireWriter w, byte tag, Reply[] items)
    {
        w.Byte(tag);
        w.VarUInt((ulong)items.Length);
        foreach (var item in items) Write(w, item);
    }

    public static Reply[] ReadAll(ref WireReader r)
    {
        var items = new Reply[r.Count()];
        for (var i = 0; i < items.Length; i++) items[i] = Read(ref r);
        return items;
    }
}
