using System.IO.Hashing;
using System.Runtime.CompilerServices;

namespace AegisKV.Core.State;

/// <summary>
/// A shard's map from keys to <see cref="StoredValue"/> entries, each holding its key inside its record: open
/// addressing with linear probing over one array of 24-byte entries, and beside it a byte per slot with seven bits
/// of the key's hash, so most probes never read a record. A removal shifts the entries after it back, so there are
/// no tombstones. A key costs its entry and tag at the table's load: 29 bytes at most full (85%, as a table loaded from
/// a snapshot is), 44 just after it grew, where a <c>Dictionary</c> over key arrays costs 44 and the key array's own
/// header. Not thread-safe: a shard's state is used by one actor.
/// </summary>
public sealed class KeyTable
{
    private const int MinCapacity = 8;
    // Percent; past it the table grows by half.
    private const int MaxLoad = 85;

    // Seeded per process so clients cannot pick keys that all probe one run. SCAN order and shard placement use the
    // unseeded hash, which must never change.
    private static readonly long Seed = System.Security.Cryptography.RandomNumberGenerator.GetInt32(int.MaxValue);

    private StoredValue[] _slots = new StoredValue[MinCapacity];
    // 0 for an empty slot, else 0x80 | seven bits of the key's hash.
    private byte[] _tags = new byte[MinCapacity];

    /// <summary>Keys held.</summary>
    public int Count { get; private set; }

    /// <summary>Slots, for walking the table with <see cref="IsOccupied"/> and <see cref="At"/>.</summary>
    public int Capacity => _slots.Length;

    /// <summary>True when slot <paramref name="index"/> holds a key.</summary>
    public bool IsOccupied(int index) => _tags[index] != 0;

    /// <summary>The entry in slot <paramref name="index"/>.</summary>
    public ref StoredValue At(int index) => ref _slots[index];

    /// <summary>The entry of <paramref name="key"/>, or a null reference (<see cref="Unsafe.IsNullRef{T}"/>) when it is missing.</summary>
    public ref StoredValue Find(ReadOnlySpan<byte> key)
    {
        var index = IndexOf(key);
        if (index < 0) return ref Unsafe.NullRef<StoredValue>();
        return ref _slots[index];
    }

    /// <summary>The entry of <paramref name="key"/>, copied; false when it is missing.</summary>
    public bool TryGetValue(ReadOnlySpan<byte> key, out StoredValue value)
    {
        ref var slot = ref Find(key);
        value = Unsafe.IsNullRef(ref slot) ? default : slot;
        return !Unsafe.IsNullRef(ref slot);
    }

    /// <summary>True when <paramref name="key"/> is held.</summary>
    public bool ContainsKey(ReadOnlySpan<byte> key) => !Unsafe.IsNullRef(ref Find(key));

    /// <summary>Sets <paramref name="entry"/>, whose record holds its key, replacing the key's entry if any; returns the one replaced.</summary>
    public bool Set(in StoredValue entry, out StoredValue replaced)
    {
        var key = KeyRecord.Key(entry.Record);
        var hash = Hash(key);
        var tag = Tag(hash);
        var i = Home(hash, _tags.Length);
        for (; _tags[i] != 0; i = Next(i, _tags.Length))
        {
            if (_tags[i] != tag || !KeyRecord.Key(_slots[i].Record).SequenceEqual(key)) continue;
            replaced = _slots[i];
            _slots[i] = entry;
            return true;
        }

        replaced = default;
        if ((long)(Count + 1) * 100 > (long)_slots.Length * MaxLoad)
        {
            Resize(_slots.Length + _slots.Length / 2);
            i = Home(hash, _tags.Length);
            while (_tags[i] != 0) i = Next(i, _tags.Length);
        }

        _tags[i] = tag;
        _slots[i] = entry;
        Count++;
        return false;
    }

    /// <summary>Removes <paramref name="key"/>; false when it was missing.</summary>
    public bool Remove(ReadOnlySpan<byte> key, out StoredValue removed)
    {
        var index = IndexOf(key);
        if (index < 0)
        {
            removed = default;
            return false;
        }

        removed = _slots[index];
        RemoveAt(index);
        return true;
    }

    /// <summary>Makes room for <paramref name="count"/> keys without growing.</summary>
    public void EnsureCapacity(int count)
    {
        var needed = (int)Math.Min(Array.MaxLength, (long)count * 100 / MaxLoad + 1);
        if (needed > _slots.Length) Resize(needed);
    }

    /// <summary>Removes every key and gives back the memory.</summary>
    public void Clear()
    {
        _slots = new StoredValue[MinCapacity];
        _tags = new byte[MinCapacity];
        Count = 0;
    }

    /// <summary>An entry picked at random (those after a long run of empty slots a little more often); false when empty.</summary>
    public bool TryGetRandom(Random random, out StoredValue entry)
    {
        entry = default;
        if (Count == 0) return false;
        var i = random.Next(_tags.Length);
        while (_tags[i] == 0) i = Next(i, _tags.Length);
        entry = _slots[i];
        return true;
    }

    /// <summary>Every entry, in slot order.</summary>
    public Enumerator GetEnumerator() => new(this);

    /// <summary>Walks the occupied slots; the table must not change meanwhile.</summary>
    public struct Enumerator
    {
        private readonly KeyTable _table;
        private int _index;

        internal Enumerator(KeyTable table)
        {
            _table = table;
            _index = -1;
        }

        /// <summary>The entry at the current slot.</summary>
        public readonly StoredValue Current => _table._slots[_index];

        /// <summary>Moves to the next occupied slot.</summary>
        public bool MoveNext()
        {
            var tags = _table._tags;
            while (++_index < tags.Length)
                if (tags[_index] != 0) return true;
            return false;
        }
    }

    // The slot holding key, or -1.
    private int IndexOf(ReadOnlySpan<byte> key)
    {
        var hash = Hash(key);
        var tag = Tag(hash);
        var tags = _tags;
        for (var i = Home(hash, tags.Length); tags[i] != 0; i = Next(i, tags.Length))
            if (tags[i] == tag && KeyRecord.Key(_slots[i].Record).SequenceEqual(key)) return i;
        return -1;
    }

    // Shifts back the entries after the hole that would otherwise no longer be found from their home slot.
    private void RemoveAt(int hole)
    {
        var capacity = _tags.Length;
        for (var j = Next(hole, capacity); _tags[j] != 0; j = Next(j, capacity))
        {
            var home = Home(Hash(KeyRecord.Key(_slots[j].Record)), capacity);
            var stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
            if (stays) continue;
            _tags[hole] = _tags[j];
            _slots[hole] = _slots[j];
            hole = j;
        }

        _tags[hole] = 0;
        _slots[hole] = default;
        Count--;
    }

    private void Resize(int capacity)
    {
        var oldSlots = _slots;
        var oldTags = _tags;
        _slots = new StoredValue[capacity];
        _tags = new byte[capacity];
        for (var j = 0; j < oldTags.Length; j++)
        {
            if (oldTags[j] == 0) continue;
            var i = Home(Hash(KeyRecord.Key(oldSlots[j].Record)), capacity);
            while (_tags[i] != 0) i = Next(i, capacity);
            _tags[i] = oldTags[j];
            _slots[i] = oldSlots[j];
        }
    }

    private static ulong Hash(ReadOnlySpan<byte> key) => XxHash3.HashToUInt64(key, Seed);

    private static byte Tag(ulong hash) => (byte)(0x80 | (hash >> 57));

    // Any capacity, not only powers of two: the low 32 bits scaled to the table, so a table sized to its keys stays full.
    private static int Home(ulong hash, int capacity) => (int)(((ulong)(uint)hash * (ulong)capacity) >> 32);

    private static int Next(int index, int capacity) => ++index == capacity ? 0 : index;
}
