using AegisKV.Core.Commands;
using AegisKV.Core.Replies;

namespace AegisKV.Core.State;

// Eviction past --max-memory: keys sampled at random from the map's slots, the best victim of each sample deleted
// by a journaled KeysDeleted, so replay (and replicas) drop the same keys.
public sealed partial class ShardState
{
    private const int MaxEvictionsPerWrite = 64;

    private void Touch(ref StoredValue slot)
    {
        var now = AccessClock.Now;
        var frequency = slot.Frequency;
        if (_memory.Policy is EvictionPolicy.AllKeysLfu or EvictionPolicy.VolatileLfu)
            frequency = AccessClock.Incremented(AccessClock.Decayed(frequency, slot.AccessedAt, now));
        if (slot.AccessedAt != now || frequency != slot.Frequency) slot = slot with { AccessedAt = now, Frequency = frequency };
    }

    // A write that may need memory: make room by evicting when the policy allows, else refuse it. Memory
    // is the node's, keys are this shard's: a shard left with nothing to evict may go up to a tenth over
    // the limit while the other shards' background sweeps evict their share.
    private bool HasRoomFor(byte[][] arguments, long nowMs, List<IShardEvent> events)
    {
        var max = _memory.MaxBytes;
        if (max == 0) return true;
        long needed = NodeMemory.EntryOverhead;
        foreach (var argument in arguments) needed += argument.Length;
        if (!_memory.WouldExceed(needed)) return true;
        if (_memory.Policy != EvictionPolicy.NoEviction)
        {
            // A bounded number per write: when the excess sits in other shards (or the limit was just lowered),
            // one write must not empty its shard; the background sweeps evict the rest.
            Evict(needed, nowMs, events, MaxEvictionsPerWrite);
            if (!_memory.WouldExceed(needed) || _memory.UsedBytes + needed <= max + max / 10) return true;
        }

        _metrics?.OutOfMemoryRefusals.Add(1);
        return false;
    }

    /// <summary>
    /// Evicts up to <paramref name="limit"/> keys of this shard while the node is over its limit (a write
    /// waiting for room is not needed: the node's background sweep calls this); the deletes go to
    /// <paramref name="events"/>, already applied, and <see cref="TakeUndo"/> takes what they replaced.
    /// </summary>
    public int EvictWhileOver(long nowMs, int limit, List<IShardEvent> events)
    {
        _changes.Clear();
        return Evict(0, nowMs, events, limit);
    }

    // Evicts while the node would pass its limit by adding headroom bytes.
    private int Evict(long headroom, long nowMs, List<IShardEvent> events, int limit)
    {
        var policy = _memory.Policy;
        if (policy == EvictionPolicy.NoEviction) return 0;
        var evicted = 0;
        while (evicted < limit && _memory.WouldExceed(headroom) && PickVictim(policy, nowMs) is { } victim)
        {
            Emit(events, new KeysDeleted(Epoch, [victim]));
            _notifications?.Notify(KeyspaceEvents.Evicted, "evicted", victim);
            evicted++;
        }

        if (evicted > 0)
        {
            _memory.AddEvicted(evicted);
            _metrics?.EvictedKeys.Add(evicted);
        }

        return evicted;
    }

    private byte[]? PickVictim(EvictionPolicy policy, long nowMs)
    {
        var volatileOnly = policy.OnlyVolatile();
        if (_map.Count == 0 || (volatileOnly && _volatileKeys == 0)) return null;
        var samples = policy is EvictionPolicy.AllKeysRandom or EvictionPolicy.VolatileRandom ? 1 : _memory.Samples;
        object? best = null;
        long bestScore = long.MinValue;
        var now = AccessClock.Now;
        // Volatile keys may be few among many: look further for them, but not forever.
        var tries = 0;
        for (var taken = 0; taken < samples && tries < samples * 20 && _map.TryGetRandom(Random.Shared, out var slot);)
        {
            tries++;
            if (volatileOnly && slot.ExpireAtMs == 0) continue;
            taken++;
            // Higher is a better victim.
            var score = policy switch
            {
                EvictionPolicy.AllKeysLru or EvictionPolicy.VolatileLru => AccessClock.Since(slot.AccessedAt, now),
                EvictionPolicy.AllKeysLfu or EvictionPolicy.VolatileLfu => 255 - AccessClock.Decayed(slot.Frequency, slot.AccessedAt, now),
                EvictionPolicy.VolatileTtl => -slot.ExpireAtMs,
                _ => 0,
            };
            if (best is null || score > bestScore) (best, bestScore) = (slot.Record, score);
        }

        return best is null ? null : KeyRecord.Key(best).ToArray();
    }
}
