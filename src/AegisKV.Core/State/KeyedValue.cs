namespace AegisKV.Core.State;

/// <summary>
/// The record of a key holding a hash or a list: the key and its value object. Immutable, as string records are: a
/// write stores a new one, so snapshots and undo records may share it.
/// </summary>
public sealed class KeyedValue
{
    /// <summary>A record of <paramref name="key"/> holding <paramref name="data"/>.</summary>
    public KeyedValue(byte[] key, object data)
    {
        Key = key;
        Data = data;
    }

    /// <summary>The key.</summary>
    public byte[] Key { get; }

    /// <summary>The value: a <see cref="HashValue"/> or a <see cref="ListValue"/>.</summary>
    public object Data { get; }
}
