using AegisKV.Core.State;

namespace AegisKV.Core.Serialization;

/// <summary>
/// A stored value of any type on the wire and on disk: a type tag, then the value. Used by
/// snapshots, <see cref="EntryRestored"/> and DUMP payloads. Never change a tag's meaning.
/// </summary>
internal static class ValueCodec
{
    private const byte StringTag = 0, HashTag = 1, ListTag = 2;

    /// <summary>Writes the value of a key's record (<see cref="KeyRecord"/>) as <see cref="Write"/> writes it.</summary>
    public static void WriteRecordValue(WireWriter w, object record)
    {
        if (record is KeyedValue keyed)
        {
            Write(w, keyed.Data);
            return;
        }

        w.Byte(StringTag);
        w.Bytes(KeyRecord.StringValue((byte[])record));
    }

    /// <summary>Bytes <see cref="WriteRecordValue"/> takes for <paramref name="record"/>.</summary>
    public static long RecordValueSize(object record) =>
        record is KeyedValue keyed ? Size(keyed.Data) : 1 + WireWriter.BytesSize(KeyRecord.StringValue((byte[])record).Length);

    /// <summary>Reads a value written by <see cref="Write"/> into the record of <paramref name="key"/>; a string's bytes are copied once.</summary>
    public static object ReadRecord(ref WireReader r, ReadOnlySpan<byte> key)
    {
        if (r.Peek() == StringTag)
        {
            r.Byte();
            return KeyRecord.ForString(key, r.Span());
        }

        return new KeyedValue(key.ToArray(), Read(ref r));
    }

    /// <summary>Writes <paramref name="data"/>: <c>byte[]</c>, a <see cref="HashValue"/> or a <see cref="ListValue"/>.</summary>
    public static void Write(WireWriter w, object data)
    {
        switch (data)
        {
            case byte[] text:
                w.Byte(StringTag);
                w.Bytes(text);
                break;
            case HashValue hash:
                // In the order the fields were added, so a hash read back keeps it.
                w.Byte(HashTag);
                w.VarUInt((ulong)hash.Count);
                foreach (var (field, value) in hash.InOrder())
                {
                    w.Bytes(field);
                    w.Bytes(value.Value);
                    w.Int64(value.ExpireAtMs);
                }

                break;
            case ListValue list:
                // The generation goes too: list events replayed over this copy check it.
                w.Byte(ListTag);
                w.Int64(list.Generation);
                w.VarUInt((ulong)list.Count);
                foreach (var element in list.Items) w.Bytes(element);
                break;
            default:
                throw new ArgumentException($"Cannot serialize a value of type {data.GetType().Name}", nameof(data));
        }
    }

    /// <summary>Bytes <see cref="Write"/> takes for <paramref name="data"/>.</summary>
    public static long Size(object data)
    {
        switch (data)
        {
            case byte[] text:
                return 1 + WireWriter.BytesSize(text.Length);
            case HashValue hash:
                var size = 1L + AegisKV.Storage.VarInt.Size((ulong)hash.Count);
                foreach (var (field, value) in hash.Fields) size += WireWriter.BytesSize(field.Length) + WireWriter.BytesSize(value.Value.Length) + 8;
                return size;
            case ListValue list:
                var listSize = 1L + 8 + AegisKV.Storage.VarInt.Size((ulong)list.Count);
                foreach (var element in list.Items) listSize += WireWriter.BytesSize(element.Length);
                return listSize;
            default:
                throw new ArgumentException($"Cannot serialize a value of type {data.GetType().Name}", nameof(data));
        }
    }

    /// <summary>Reads a value written by <see cref="Write"/>.</summary>
    public static object Read(ref WireReader r)
    {
        switch (r.Byte())
        {
            case StringTag:
                return r.Bytes();
            case HashTag:
            {
                var count = r.Count();
                var fields = new KeyValuePair<byte[], HashField>[count];
                for (var i = 0; i < count; i++) fields[i] = new(r.Bytes(), new HashField(r.Bytes(), r.Int64()));
                return HashValue.From(fields);
            }
            case ListTag:
            {
                var generation = r.Int64();
                var elements = new byte[r.Count()][];
                for (var i = 0; i < elements.Length; i++) elements[i] = r.Bytes();
                return ListValue.From(elements, generation);
            }
            case var tag:
                throw new System.Runtime.Serialization.SerializationException($"Unknown value type tag {tag}");
        }
    }
}
