namespace AegisKV.Core.State;

// Taking writes back: a write is applied to the map before it is durable, so when the journal refuses
// it (full disk), the map must return to what it was. Each command's events record what they replace.
public sealed partial class ShardState
{
    private readonly List<Change> _changes = [];

    /// <summary>
    /// What the events emitted since the last call replaced, to give to <see cref="Undo"/> should
    /// they never become durable; null when they replaced nothing.
    /// </summary>
    public Change[]? TakeUndo()
    {
        if (_changes.Count == 0) return null;
        var changes = _changes.ToArray();
        _changes.Clear();
        return changes;
    }

    /// <summary>
    /// Adds what the events emitted since the last call replaced to <paramref name="log"/>, for <see cref="Undo"/>
    /// should they never become durable; returns how many changes it added.
    /// </summary>
    public int MoveUndoTo(Queue<Change> log)
    {
        var count = _changes.Count;
        foreach (var change in _changes) log.Enqueue(change);
        _changes.Clear();
        return count;
    }

    /// <summary>Puts back what a command's events replaced. Commands are undone newest first.</summary>
    public void Undo(Change[]? changes)
    {
        if (changes is null) return;
        for (var i = changes.Length - 1; i >= 0; i--)
        {
            var change = changes[i];
            if (change.Cleared is { } entries)
            {
                foreach (var value in entries) PutRecord(value.Record, null, value.ExpireAtMs);
            }
            else if (change.Existed)
            {
                PutRecord(change.Old.Record, change.Key, change.Old.ExpireAtMs);
            }
            else
            {
                Remove(change.Key!);
            }
        }
    }

    // Called before an event is applied by a command (never on replay).
    private void Remember(IShardEvent e)
    {
        switch (e)
        {
            case IKeyEvent changed:
                RememberKey(changed.Key);
                break;
            case KeysDeleted deleted:
                foreach (var key in deleted.Keys) RememberKey(key);
                break;
            case ShardCleared:
                _changes.Add(new Change(null, false, default, [.. _map]));
                break;
        }
    }

    private void RememberKey(byte[] key) =>
        _changes.Add(_map.TryGetValue(key, out var old) ? new Change(key, true, old, null) : new Change(key, false, default, null));

    /// <summary>What one event replaced: a key's old value (or its absence), or every entry of a cleared shard.</summary>
    /// <param name="Key">The key; null for a cleared shard.</param>
    /// <param name="Existed">Whether the key had a value.</param>
    /// <param name="Old">The value it had.</param>
    /// <param name="Cleared">Every entry the shard had before it was cleared.</param>
    public readonly record struct Change(byte[]? Key, bool Existed, StoredValue Old, StoredValue[]? Cleared);
}
