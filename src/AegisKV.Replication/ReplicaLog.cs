namespace AegisKV.Replication;

/// <summary>
/// A replica's log as the core sees it: every entry from sequence 1, in memory. The shell persists the changes
/// the core reports and rebuilds this from its journal after a restart (durable entries only).
/// </summary>
public sealed class ReplicaLog
{
    private readonly List<LogEntry> _entries = [];
    // Kept rather than searched for: the quorum of every write depends on it.
    private long _configurationSequence;

    /// <summary>Creates a log holding <paramref name="entries"/> (sequences 1, 2, …).</summary>
    public ReplicaLog(IEnumerable<LogEntry>? entries = null)
    {
        foreach (var entry in entries ?? []) Add(entry);
    }

    /// <summary>The sequence of the last entry; 0 when empty.</summary>
    public long LastSequence => _entries.Count;

    /// <summary>The epoch counter of the last entry; 0 when empty.</summary>
    public long LastEpoch => _entries.Count == 0 ? 0 : _entries[^1].Epoch;

    /// <summary>The entry at <paramref name="sequence"/> (1 ≤ sequence ≤ <see cref="LastSequence"/>).</summary>
    public LogEntry this[long sequence] => _entries[checked((int)sequence - 1)];

    /// <summary>The epoch counter of the entry at <paramref name="sequence"/>: 0 for sequence 0, null past the end.</summary>
    public long? EpochAt(long sequence) => sequence == 0 ? 0 : sequence <= LastSequence ? this[sequence].Epoch : null;

    /// <summary>The configuration of the newest entry that carries one, if any.</summary>
    public GroupConfiguration? Configuration => ConfigurationSequence is > 0 and var sequence ? this[sequence].Configuration : null;

    /// <summary>The sequence of the newest entry that carries a configuration; 0 when none does.</summary>
    public long ConfigurationSequence => _configurationSequence;

    /// <summary>Entries after <paramref name="after"/>, at most <paramref name="limit"/>.</summary>
    public IReadOnlyList<LogEntry> After(long after, int limit = int.MaxValue)
    {
        var start = (int)Math.Min(after, _entries.Count);
        return _entries.GetRange(start, Math.Min(limit, _entries.Count - start));
    }

    /// <summary>Appends <paramref name="entry"/>, which must follow the last entry.</summary>
    public void Add(LogEntry entry)
    {
        if (entry.Sequence != LastSequence + 1)
            throw new ArgumentException($"entry {entry.Sequence} does not follow {LastSequence}", nameof(entry));
        _entries.Add(entry);
        if (entry.Configuration is not null) _configurationSequence = entry.Sequence;
    }

    /// <summary>Removes every entry after <paramref name="sequence"/>.</summary>
    public void TruncateAfter(long sequence)
    {
        if (sequence >= LastSequence) return;
        _entries.RemoveRange((int)sequence, _entries.Count - (int)sequence);
        // The newest configuration left.
        while (_configurationSequence > sequence || (_configurationSequence > 0 && this[_configurationSequence].Configuration is null))
            _configurationSequence--;
    }

    /// <summary>The sequence before the first entry of the epoch of the entry at <paramref name="sequence"/>: where a conflicting epoch began.</summary>
    public long StartOfEpochAt(long sequence)
    {
        var epoch = this[sequence].Epoch;
        var start = sequence;
        while (start > 1 && this[start - 1].Epoch == epoch) start--;
        return start - 1;
    }
}
