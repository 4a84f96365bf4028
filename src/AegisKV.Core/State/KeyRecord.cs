using System.Runtime.CompilerServices;
using AegisKV.Storage;

namespace AegisKV.Core.State;

/// <summary>
/// A key and its value as a shard's map holds them, in one object: a string key's record is one array,
/// <c>[key length, varint][key][value]</c>, so a key costs one object header instead of two; a key holding
/// a hash or a list is a <see cref="KeyedValue"/>. Records are never changed once made.
/// </summary>
public static class KeyRecord
{
    /// <summary>The record of <paramref name="key"/> holding <paramref name="value"/> (<c>byte[]</c>, <see cref="HashValue"/> or <see cref="ListValue"/>).</summary>
    public static object Create(byte[] key, object value) =>
        value is byte[] text ? ForString(key, text) : new KeyedValue(key, value);

    /// <summary>The record of a string key.</summary>
    public static byte[] ForString(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        var prefix = VarInt.Size((ulong)key.Length);
        var record = GC.AllocateUninitializedArray<byte>(prefix + key.Length + value.Length);
        VarInt.Write(record, (ulong)key.Length);
        key.CopyTo(record.AsSpan(prefix));
        value.CopyTo(record.AsSpan(prefix + key.Length));
        return record;
    }

    /// <summary>The key of a record.</summary>
    public static ReadOnlySpan<byte> Key(object record)
    {
        if (record is KeyedValue keyed) return keyed.Key;
        var bytes = Unsafe.As<byte[]>(record);
        var keyLength = KeyLength(bytes, out var start);
        return bytes.AsSpan(start, keyLength);
    }

    /// <summary>The value of a string key's record.</summary>
    public static ReadOnlySpan<byte> StringValue(byte[] record) => record.AsSpan(StringValueStart(record));

    /// <summary>Where the value of a string key's record starts.</summary>
    public static int StringValueStart(byte[] record)
    {
        var keyLength = KeyLength(record, out var start);
        return start + keyLength;
    }

    /// <summary>The value of a record as an object: a new array for a string, else the hash or the list.</summary>
    public static object Payload(object record) => record is KeyedValue keyed ? keyed.Data : StringValue((byte[])record).ToArray();

    /// <summary>Bytes charged for a record's value: a string's length, a hash's fields or a list's elements.</summary>
    public static long ValueBytes(object record) =>
        record is KeyedValue keyed ? NodeMemory.ValueBytes(keyed.Data) : StringValue(Unsafe.As<byte[]>(record)).Length;

    /// <summary>The charge for a record's key and value in the node's memory: their bytes and <see cref="NodeMemory.EntryOverhead"/>.</summary>
    public static long Cost(object record) => Key(record).Length + ValueBytes(record) + NodeMemory.EntryOverhead;

    // Keys are short: almost always one byte of length.
    private static int KeyLength(byte[] record, out int start)
    {
        if (record[0] < 0x80)
        {
            start = 1;
            return record[0];
        }

        start = 0;
        VarInt.TryRead(record, ref start, out var length);
        return (int)length;
    }
}
