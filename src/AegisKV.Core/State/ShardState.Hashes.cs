using AegisKV.Core.Commands;
using AegisKV.Core.Replies;
using System.Runtime.CompilerServices;

namespace AegisKV.Core.State;

// Applying hash events, and dropping expired hash fields in the background. A hash event names
// fields, never a whole hash, so the WAL grows with what changed; commands emit a KeysDeleted first
// when they replace a key that is gone (expired, or all its fields expired), so replay never merges
// into a value the command did not see.
public sealed partial class ShardState
{
    private void ApplyHashSet(HashFieldsSet e)
    {
        _map.TryGetValue(e.Key, out var existing);
        var hash = existing.Object as HashValue;
        var updated = hash ?? HashValue.Empty;
        for (var i = 0; i + 1 < e.FieldsAndValues.Length; i += 2)
        {
            var field = e.FieldsAndValues[i];
            var ttl = e.KeepTtl && updated.Fields.TryGetValue(field, out var old) ? old.ExpireAtMs : 0;
            updated = updated.With(field, new HashField(e.FieldsAndValues[i + 1], ttl));
        }

        if (hash is null) Put(e.Key, updated, 0);
        else ReplaceData(e.Key, updated);
    }

    private void ApplyHashDelete(HashFieldsDeleted e)
    {
        if (!_map.TryGetValue(e.Key, out var existing) || existing.Object is not HashValue hash) return;
        foreach (var field in e.Fields) hash = hash.Without(field);
        if (hash.Count == 0) Remove(e.Key);
        else ReplaceData(e.Key, hash);
    }

    private void ApplyHashExpiry(HashFieldsExpirySet e)
    {
        if (!_map.TryGetValue(e.Key, out var existing) || existing.Object is not HashValue hash) return;
        var queuedAt = hash.EarliestExpiry;
        foreach (var field in e.Fields)
            if (hash.Fields.TryGetValue(field, out var value)) hash = hash.With(field, value with { ExpireAtMs = e.ExpireAtMs });
        ReplaceData(e.Key, hash);
        // The queue holds the hash at its earliest expiry already, unless this one is earlier; when that
        // entry comes due, the sweep queues the hash again at its exact next expiry.
        if (e.ExpireAtMs != 0 && (queuedAt == 0 || e.ExpireAtMs < queuedAt)) _fieldExpiries.Enqueue(e.Key, e.ExpireAtMs);
    }

    // A new value for a present key; its expiry stays.
    private void ReplaceData(byte[] key, object data)
    {
        ref var slot = ref _map.Find(key);
        if (Unsafe.IsNullRef(ref slot)) return;
        var delta = NodeMemory.ValueBytes(data) - KeyRecord.ValueBytes(slot.Record);
        slot = slot with { Record = KeyRecord.Create(key, data), Version = NextVersion() };
        Charge(delta, 0, 0);
    }

    // Drops expired fields of hashes whose earliest field expiry has passed; a hash left empty is removed.
    // Returns how many keys were removed.
    private int RemoveExpiredFields(long nowMs, int limit, List<byte[]>? removedKeys, List<IShardEvent>? droppedFields)
    {
        var removed = 0;
        for (var checkedHashes = 0; checkedHashes < limit && _fieldExpiries.TryPeek(out var key, out var at) && at <= nowMs; checkedHashes++)
        {
            _fieldExpiries.Dequeue();
            if (!_map.TryGetValue(key, out var value) || value.Object is not HashValue hash || !hash.MayHaveExpired(nowMs)) continue;
            var live = hash.WithoutExpired(nowMs);
            if (live.Count == 0)
            {
                Remove(key);
                removedKeys?.Add(key);
                removed++;
                continue;
            }

            if (droppedFields is not null) droppedFields.Add(new HashFieldsDeleted(Epoch, key, DroppedFields(hash, live)));
            ReplaceData(key, live);
            if (live.EarliestExpiry != 0) _fieldExpiries.Enqueue(key, live.EarliestExpiry);
        }

        return removed;
    }

    private static byte[][] DroppedFields(HashValue before, HashValue after)
    {
        var dropped = new List<byte[]>(before.Count - after.Count);
        foreach (var (field, _) in before.Fields)
            if (!after.Fields.ContainsKey(field)) dropped.Add(field);
        return [.. dropped];
    }

    private static readonly Reply TypeHash = new SimpleReply("hash"u8.ToArray());
    private static readonly ValueKind[] Kinds = BuildKinds();

    private static ValueKind KindOf(CommandId command) => Kinds[(int)command];

    /// <summary>The type name TYPE answers for a value (for SCAN's TYPE filter).</summary>
    internal static ReadOnlySpan<byte> TypeName(object? data) => data switch
    {
        HashValue => "hash"u8,
        ListValue => "list"u8,
        _ => "string"u8,
    };

    private static ValueKind[] BuildKinds()
    {
        var kinds = new ValueKind[256];
        foreach (var id in (CommandId[])[
                     CommandId.Get, CommandId.GetSet, CommandId.GetDel, CommandId.GetEx, CommandId.Incr, CommandId.Decr,
                     CommandId.IncrBy, CommandId.DecrBy, CommandId.IncrByFloat, CommandId.Append, CommandId.StrLen,
                     CommandId.GetRange, CommandId.SubStr, CommandId.SetRange, CommandId.SetBit, CommandId.GetBit, CommandId.BitCount,
                     CommandId.BitPos, CommandId.BitField, CommandId.BitFieldRo])
            kinds[(int)id] = ValueKind.String;
        foreach (var spec in CommandTable.All)
        {
            if (spec.Name[0] == 'H' && spec.Id != CommandId.Hello) kinds[(int)spec.Id] = ValueKind.Hash;
            if (spec.Id is >= CommandId.LPush and <= CommandId.BLMPop) kinds[(int)spec.Id] = ValueKind.List;
        }
        return kinds;
    }
}
