using System.Collections.Immutable;

namespace AegisKV.Core.State;

/// <summary>One field of a hash: its value and its own expiry (Unix ms, 0 for none), as in Redis 7.4.</summary>
/// <param name="Value">The field's value.</param>
/// <param name="ExpireAtMs">Absolute expiry of the field; 0 for none.</param>
/// <param name="Order">When the field was added among the hash's fields; an update keeps it.</param>
public readonly record struct HashField(byte[] Value, long ExpireAtMs, long Order = 0)
{
    /// <summary>True when the field has an expiry at or before <paramref name="nowMs"/>.</summary>
    public bool IsExpired(long nowMs) => ExpireAtMs != 0 && ExpireAtMs <= nowMs;
}

/// <summary>
/// A hash value: an immutable map of fields, so a write makes a new hash in O(log n) and the old one
/// stays valid for snapshots, undo and readers. Expired fields stay until <see cref="WithoutExpired"/>
/// drops them; every reader skips them.
/// </summary>
public sealed class HashValue
{
    /// <summary>Bytes charged per field beyond its name and value, for memory accounting.</summary>
    public const int FieldOverhead = 48;

    /// <summary>The hash with no fields.</summary>
    public static readonly HashValue Empty = new(ImmutableDictionary.Create<byte[], HashField>(ByteKeyComparer.Instance), 0, 0, 0);

    private readonly long _nextOrder;

    private HashValue(ImmutableDictionary<byte[], HashField> fields, long bytes, long earliestExpiry, long nextOrder)
    {
        Fields = fields;
        Bytes = bytes;
        EarliestExpiry = earliestExpiry;
        _nextOrder = nextOrder;
    }

    /// <summary>Every field, expired ones not yet dropped included.</summary>
    public ImmutableDictionary<byte[], HashField> Fields { get; }

    /// <summary>Bytes of field names and values plus <see cref="FieldOverhead"/> per field.</summary>
    public long Bytes { get; }

    /// <summary>No field expires before this (Unix ms); 0 when no field has an expiry. May be earlier than any field's.</summary>
    public long EarliestExpiry { get; }

    /// <summary>Fields held, expired ones not yet dropped included.</summary>
    public int Count => Fields.Count;

    /// <summary>True when a field may have expired by <paramref name="nowMs"/>.</summary>
    public bool MayHaveExpired(long nowMs) => EarliestExpiry != 0 && EarliestExpiry <= nowMs;

    /// <summary>The live field, if there is one.</summary>
    public bool TryGet(byte[] field, long nowMs, out HashField value) =>
        Fields.TryGetValue(field, out value) && !value.IsExpired(nowMs);

    /// <summary>Fields not expired at <paramref name="nowMs"/>.</summary>
    public int LiveCount(long nowMs)
    {
        if (!MayHaveExpired(nowMs)) return Fields.Count;
        var live = 0;
        foreach (var (_, value) in Fields)
            if (!value.IsExpired(nowMs)) live++;
        return live;
    }

    /// <summary>This hash with <paramref name="field"/> set; a new field goes after the others, an existing one keeps its place.</summary>
    public HashValue With(byte[] field, HashField value)
    {
        var bytes = Bytes + field.Length + value.Value.Length + FieldOverhead;
        var nextOrder = _nextOrder;
        if (Fields.TryGetValue(field, out var old))
        {
            bytes -= field.Length + old.Value.Length + FieldOverhead;
            value = value with { Order = old.Order };
        }
        else
        {
            value = value with { Order = nextOrder++ };
        }

        var earliest = value.ExpireAtMs == 0 ? EarliestExpiry : EarliestExpiry == 0 ? value.ExpireAtMs : Math.Min(EarliestExpiry, value.ExpireAtMs);
        return new HashValue(Fields.SetItem(field, value), bytes, earliest, nextOrder);
    }

    /// <summary>The fields in the order they were added, as Redis keeps a small hash (expired ones included).</summary>
    public KeyValuePair<byte[], HashField>[] InOrder()
    {
        var fields = Fields.ToArray();
        Array.Sort(fields, static (a, b) => a.Value.Order.CompareTo(b.Value.Order));
        return fields;
    }

    /// <summary>This hash without <paramref name="field"/>.</summary>
    public HashValue Without(byte[] field) =>
        Fields.TryGetValue(field, out var old)
            ? new HashValue(Fields.Remove(field), Bytes - field.Length - old.Value.Length - FieldOverhead, Fields.Count == 1 ? 0 : EarliestExpiry, _nextOrder)
            : this;

    /// <summary>This hash without the fields expired at <paramref name="nowMs"/>, with an exact <see cref="EarliestExpiry"/>.</summary>
    public HashValue WithoutExpired(long nowMs)
    {
        if (!MayHaveExpired(nowMs)) return this;
        var builder = Fields.ToBuilder();
        long bytes = Bytes, earliest = 0;
        foreach (var (field, value) in Fields)
        {
            if (value.IsExpired(nowMs))
            {
                builder.Remove(field);
                bytes -= field.Length + value.Value.Length + FieldOverhead;
            }
            else if (value.ExpireAtMs != 0 && (earliest == 0 || value.ExpireAtMs < earliest))
            {
                earliest = value.ExpireAtMs;
            }
        }

        return new HashValue(builder.ToImmutable(), bytes, earliest, _nextOrder);
    }

    /// <summary>Builds a hash from fields, in the order given (for snapshots and restored values).</summary>
    public static HashValue From(IEnumerable<KeyValuePair<byte[], HashField>> fields)
    {
        var hash = Empty;
        foreach (var (field, value) in fields) hash = hash.With(field, value);
        return hash;
    }
}
