using System.IO.Hashing;
using System.Runtime.CompilerServices;
using AegisKV.Core.Commands;
using AegisKV.Core.Replies;

namespace AegisKV.Core.State;

/// <summary>
/// The in-memory map of one shard and the semantics of every keyed command, kept apart from
/// the actor so it can be tested without one. <see cref="Execute"/> computes a command's
/// reply and the events it causes, and applies those events at once; <see cref="Apply"/>
/// replays events. Expired keys are invisible to every command and removed in the background.
/// </summary>
public sealed partial class ShardState
{
    private readonly KeyTable _map = new();
    private readonly PriorityQueue<byte[], long> _expiries = new();
    // Hashes with a field expiring at the given time; stale entries are checked against the map.
    private readonly PriorityQueue<byte[], long> _fieldExpiries = new();
    private readonly NodeMemory _memory;
    private readonly CoreMetrics? _metrics;
    private readonly KeyspaceEvents? _notifications;
    private long _volatileKeys;
    private long _usedBytes;
    // Keys holding something other than a string: while there are none, no command checks types.
    private long _otherTypeKeys;
    private long _version = Random.Shared.NextInt64(1, long.MaxValue / 2);

    /// <summary>
    /// An empty shard accounted in <paramref name="memory"/>; refusals and evictions count on <paramref name="metrics"/>,
    /// and keyspace notifications go to <paramref name="notifications"/>, when given.
    /// </summary>
    public ShardState(NodeMemory memory, CoreMetrics? metrics = null, KeyspaceEvents? notifications = null)
    {
        _memory = memory;
        _metrics = metrics;
        _notifications = notifications;
    }

    /// <summary>The epoch of the latest primary incarnation seen.</summary>
    public long Epoch { get; private set; }

    /// <summary>Bytes of this shard's keys, values and per-key overhead, as charged to the node's memory.</summary>
    public long UsedBytes => _usedBytes;

    /// <summary>Keys held, expired ones not yet removed included (as Redis's DBSIZE).</summary>
    public int Count => _map.Count;

    /// <summary>Entries in the expiry queue, stale ones included.</summary>
    public int PendingExpiries => _expiries.Count;

    /// <summary>Applies one persisted event.</summary>
    public void Apply(IShardEvent e)
    {
        switch (e)
        {
            case ValueSet set:
                Put(set.Key, set.Value, set.ExpireAtMs);
                break;
            case KeysDeleted deleted:
                foreach (var key in deleted.Keys) Remove(key);
                break;
            case ExpirySet expiry:
                SetExpiry(expiry.Key, expiry.ExpireAtMs);
                break;
            case ShardCleared:
                Clear();
                break;
            case HashFieldsSet hashSet:
                ApplyHashSet(hashSet);
                break;
            case HashFieldsDeleted hashDeleted:
                ApplyHashDelete(hashDeleted);
                break;
            case HashFieldsExpirySet hashExpiry:
                ApplyHashExpiry(hashExpiry);
                break;
            case ListPushed or ListTrimmed or ListSpliced or ListElementsRemoved:
                ApplyList((IKeyEvent)e);
                break;
            case EntryRestored restored:
                Put(restored.Key, restored.Data, restored.ExpireAtMs);
                break;
            case ShardEvents batch:
                foreach (var inner in batch.Events) Apply(inner);
                break;
            case EpochStarted:
            case GroupConfigured:
                break;
            default:
                throw new ArgumentException($"Unknown shard event {e.GetType().Name}", nameof(e));
        }

        if (e.Epoch > Epoch) Epoch = e.Epoch;
    }

    /// <summary>Replaces the whole map with a snapshot's.</summary>
    public void Load(ShardSnapshot snapshot)
    {
        Clear();
        _map.EnsureCapacity(snapshot.Entries.Length);
        foreach (var entry in snapshot.Entries) PutRecord(entry.Record, null, entry.ExpireAtMs);
        Epoch = snapshot.Epoch;
    }

    /// <summary>A snapshot of the whole map; it shares the immutable records.</summary>
    public ShardSnapshot ToSnapshot()
    {
        var entries = new SnapshotEntry[_map.Count];
        var i = 0;
        foreach (var value in _map) entries[i++] = new SnapshotEntry(value.Record, value.ExpireAtMs);
        return new ShardSnapshot(Epoch, entries);
    }

    /// <summary>
    /// Removes up to <paramref name="limit"/> keys whose expiry has passed, and hash fields whose own expiry has; returns
    /// how many keys went. The keys removed go to <paramref name="removedKeys"/>, the fields dropped from hashes that
    /// remain to <paramref name="droppedFields"/> (as deletes), when given: a replicated shard journals them.
    /// </summary>
    public int RemoveExpired(long nowMs, int limit, List<byte[]>? removedKeys = null, List<IShardEvent>? droppedFields = null)
    {
        var removed = 0;
        while (removed < limit && _expiries.TryPeek(out var key, out var expireAt) && expireAt <= nowMs)
        {
            _expiries.Dequeue();
            // The queue may hold stale entries for keys whose expiry changed since: check the map.
            if (_map.TryGetValue(key, out var value) && value.ExpireAtMs == expireAt)
            {
                Remove(key);
                _notifications?.Notify(KeyspaceEvents.Expired, "expired", key);
                removedKeys?.Add(key);
                removed++;
            }
        }

        removed += RemoveExpiredFields(nowMs, limit - removed, removedKeys, droppedFields);
        // Rewritten expiries leave stale entries behind; rebuild once they outnumber the live ones.
        if (_expiries.Count > 2 * _volatileKeys + 1024) RebuildExpiries();
        return removed;
    }

    /// <summary>Releases the memory charged for this shard's keys (the shard is stopping).</summary>
    public void Release() => Clear();

    // A hash whose fields have all expired is gone, as its key would be in Redis. Finding a key is an access.
    private bool TryGetLive(byte[] key, long nowMs, out StoredValue value)
    {
        ref var slot = ref _map.Find(key);
        if (Unsafe.IsNullRef(ref slot) || !IsLive(slot, nowMs))
        {
            value = default;
            return false;
        }

        Touch(ref slot);
        value = slot;
        return true;
    }

    // As TryGetLive, but not an access: TTL, TYPE, EXISTS and OBJECT leave the idle time alone.
    private bool TryPeekLive(byte[] key, long nowMs, out StoredValue value)
    {
        ref var slot = ref _map.Find(key);
        if (!Unsafe.IsNullRef(ref slot) && IsLive(slot, nowMs))
        {
            value = slot;
            return true;
        }

        value = default;
        return false;
    }

    private static bool IsLive(in StoredValue value, long nowMs) =>
        !value.IsExpired(nowMs) && (value.Record is not KeyedValue { Data: HashValue hash } || !hash.MayHaveExpired(nowMs) || hash.LiveCount(nowMs) > 0);

    private void Put(byte[] key, object value, long expireAtMs) => PutRecord(KeyRecord.Create(key, value), key, expireAtMs);

    // The expiry queues hold key arrays: key is the record's key as an array when the caller has one.
    private void PutRecord(object record, byte[]? key, long expireAtMs)
    {
        var entry = new StoredValue(record, expireAtMs, NextVersion(), AccessClock.Now, AccessClock.NewKeyFrequency);
        var existed = _map.Set(entry, out var old);
        long bytes = existed ? KeyRecord.ValueBytes(record) - KeyRecord.ValueBytes(old.Record) : KeyRecord.Cost(record);
        long keys = existed ? 0 : 1, volatileKeys = 0;
        if (record is not byte[]) _otherTypeKeys++;
        if (existed)
        {
            if (old.ExpireAtMs != 0) volatileKeys--;
            if (old.Record is not byte[]) _otherTypeKeys--;
        }

        if (record is KeyedValue { Data: HashValue { EarliestExpiry: > 0 } hash }) _fieldExpiries.Enqueue(key ??= entry.Key.ToArray(), hash.EarliestExpiry);
        if (expireAtMs != 0)
        {
            volatileKeys++;
            _expiries.Enqueue(key ?? entry.Key.ToArray(), expireAtMs);
        }

        _volatileKeys += volatileKeys;
        Charge(bytes, keys, volatileKeys);
    }

    // Every change of the shard's size goes through here, so the shard's own figure and the node's agree.
    private void Charge(long bytes, long keys, long volatileKeys)
    {
        _usedBytes += bytes;
        _memory.Add(bytes, keys, volatileKeys);
    }

    private bool Remove(byte[] key)
    {
        if (!_map.Remove(key, out var old)) return false;
        var volatileDelta = old.ExpireAtMs != 0 ? -1 : 0;
        _volatileKeys += volatileDelta;
        if (old.Record is not byte[]) _otherTypeKeys--;
        Charge(-KeyRecord.Cost(old.Record), -1, volatileDelta);
        return true;
    }

    private void SetExpiry(byte[] key, long expireAtMs)
    {
        ref var slot = ref _map.Find(key);
        if (Unsafe.IsNullRef(ref slot)) return;
        var volatileDelta = (expireAtMs != 0 ? 1 : 0) - (slot.ExpireAtMs != 0 ? 1 : 0);
        slot = slot with { ExpireAtMs = expireAtMs, Version = NextVersion() };
        if (expireAtMs != 0) _expiries.Enqueue(key, expireAtMs);
        _volatileKeys += volatileDelta;
        Charge(0, 0, volatileDelta);
    }

    private void Clear()
    {
        long bytes = 0, volatileKeys = 0;
        foreach (var value in _map)
        {
            bytes += KeyRecord.Cost(value.Record);
            if (value.ExpireAtMs != 0) volatileKeys++;
        }

        Charge(-bytes, -_map.Count, -volatileKeys);
        _map.Clear();
        _expiries.Clear();
        _fieldExpiries.Clear();
        _volatileKeys = 0;
        _otherTypeKeys = 0;
    }

    // Versions start at a random point, so a version seen before a shard restarted or moved is not met again. A key
    // keeps the low 32 bits (StoredValue), never 0, which VersionOf gives for no key.
    private long NextVersion()
    {
        if ((uint)++_version == 0) ++_version;
        return _version;
    }

    /// <summary>The version of a live key for WATCH; 0 when it is missing or expired.</summary>
    public long VersionOf(byte[] key, long nowMs) => TryGetLive(key, nowMs, out var value) ? value.Version : 0;

    private void RebuildExpiries()
    {
        _expiries.Clear();
        foreach (var value in _map)
            if (value.ExpireAtMs != 0) _expiries.Enqueue(value.Key.ToArray(), value.ExpireAtMs);
    }

    /// <summary>
    /// The 48-bit position of a key in SCAN order. SCAN walks keys by this hash, so a key
    /// present for a whole scan is returned however the map changes in between.
    /// </summary>
    public static long ScanPosition(ReadOnlySpan<byte> key) => (long)(XxHash3.HashToUInt64(key) >> 16);
}
