namespace AegisKV.Replication;

/// <summary>
/// A replica's log as the core sees it: the entries after its base, in memory. The base is where a snapshot
/// ends (0 for none): what lies at or before it is committed and kept only as the snapshot's state, with the
/// base's epoch and the group's configuration there. The shell persists the changes the core reports and
/// rebuilds this from its snapshot and journal after a restart (durable entries only).
/// </summary>
public sealed class ReplicaLog
{
    private readonly List<LogEntry> _entries = [];
    private long _base;
    private long _baseEpoch;
    private GroupConfiguration? _baseConfiguration;
    // Kept rather than searched for: the quorum of every write depends on it.
    private long _configurationSequence;

    /// <summary>Creates a log holding <paramref name="entries"/> (sequences 1, 2, …).</summary>
    public ReplicaLog(IEnumerable<LogEntry>? entries = null)
        : this(SnapshotBase.None, entries)
    {
    }

    /// <summary>Creates a log that starts after <paramref name="snapshot"/> and holds <paramref name="entries"/> after it.</summary>
    public ReplicaLog(SnapshotBase snapshot, IEnumerable<LogEntry>? entries = null)
    {
        Reset(snapshot);
        foreach (var entry in entries ?? []) Add(entry);
    }

    /// <summary>The sequence of the last entry compacted into a snapshot; 0 when none.</summary>
    public long BaseSequence => _base;

    /// <summary>The base as a snapshot records it: its sequence, epoch and the configuration there.</summary>
    public SnapshotBase Base => new(_base, _baseEpoch, _baseConfiguration);

    /// <summary>The sequence of the last entry; the base when there is none after it.</summary>
    public long LastSequence => _base + _entries.Count;

    /// <summary>The epoch counter of the last entry; the base's when there is none after it.</summary>
    public long LastEpoch => _entries.Count == 0 ? _baseEpoch : _entries[^1].Epoch;

    /// <summary>The entry at <paramref name="sequence"/> (base &lt; sequence ≤ <see cref="LastSequence"/>).</summary>
    public LogEntry this[long sequence] =>
        sequence > _base ? _entries[checked((int)(sequence - _base) - 1)] : throw new ArgumentOutOfRangeException(nameof(sequence), $"entry {sequence} is compacted (base {_base})");

    /// <summary>
    /// The epoch counter of the entry at <paramref name="sequence"/>: 0 for sequence 0, the base's at the base, null
    /// past the end or before the base (compacted, committed, and no longer known here).
    /// </summary>
    public long? EpochAt(long sequence) =>
        sequence == 0 ? 0 : sequence == _base ? _baseEpoch : sequence > _base && sequence <= LastSequence ? this[sequence].Epoch : null;

    /// <summary>The configuration of the newest entry that carries one, or the base's; null when there is none.</summary>
    public GroupConfiguration? Configuration => _configurationSequence > _base ? this[_configurationSequence].Configuration : _baseConfiguration;

    /// <summary>The sequence of the newest entry that carries a configuration (at most the base when it is the base's); 0 when none does.</summary>
    public long ConfigurationSequence => _configurationSequence;

    /// <summary>The configuration in effect at <paramref name="sequence"/> (base ≤ sequence ≤ last): the newest at or before it.</summary>
    public GroupConfiguration? ConfigurationAt(long sequence)
    {
        for (var at = Math.Min(sequence, LastSequence); at > _base; at--)
            if (this[at].Configuration is { } configuration) return configuration;
        return _baseConfiguration;
    }

    /// <summary>Entries after <paramref name="after"/> (at least the base), at most <paramref name="limit"/>.</summary>
    public IReadOnlyList<LogEntry> After(long after, int limit = int.MaxValue)
    {
        if (after < _base) throw new ArgumentOutOfRangeException(nameof(after), $"entries after {after} are compacted (base {_base})");
        var start = (int)Math.Min(after - _base, _entries.Count);
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

    /// <summary>Removes every entry after <paramref name="sequence"/>, which must not be before the base.</summary>
    public void TruncateAfter(long sequence)
    {
        if (sequence >= LastSequence) return;
        if (sequence < _base) throw new ArgumentOutOfRangeException(nameof(sequence), $"cannot cut at {sequence}, before the base {_base}");
        _entries.RemoveRange((int)(sequence - _base), _entries.Count - (int)(sequence - _base));
        // The newest configuration left.
        while (_configurationSequence > _base && (_configurationSequence > sequence || this[_configurationSequence].Configuration is null))
            _configurationSequence--;
        if (_configurationSequence == _base && _baseConfiguration is null) _configurationSequence = 0;
    }

    /// <summary>
    /// Forgets the entries through <paramref name="sequence"/> (base ≤ sequence ≤ last), which a snapshot now holds;
    /// the shell calls it only at or below the commit position.
    /// </summary>
    public void Compact(long sequence)
    {
        if (sequence <= _base) return;
        if (sequence > LastSequence) throw new ArgumentOutOfRangeException(nameof(sequence), $"cannot compact through {sequence}, past the end {LastSequence}");
        var snapshot = new SnapshotBase(sequence, EpochAt(sequence)!.Value, ConfigurationAt(sequence));
        var configurationSequence = _configurationSequence;
        _entries.RemoveRange(0, (int)(sequence - _base));
        (_base, _baseEpoch, _baseConfiguration) = (snapshot.Sequence, snapshot.Epoch, snapshot.Configuration);
        _configurationSequence = configurationSequence > sequence ? configurationSequence : _baseConfiguration is null ? 0 : sequence;
    }

    /// <summary>Replaces the whole log by a snapshot's base: every entry goes.</summary>
    public void Reset(SnapshotBase snapshot)
    {
        _entries.Clear();
        (_base, _baseEpoch, _baseConfiguration) = (snapshot.Sequence, snapshot.Epoch, snapshot.Configuration);
        _configurationSequence = _baseConfiguration is null ? 0 : _base;
    }

    /// <summary>
    /// The sequence before the first entry of the epoch of the entry at <paramref name="sequence"/> (after the base):
    /// where a conflicting epoch began, or the base when the epoch reaches back to it.
    /// </summary>
    public long StartOfEpochAt(long sequence)
    {
        var epoch = this[sequence].Epoch;
        var start = sequence;
        while (start > _base + 1 && this[start - 1].Epoch == epoch) start--;
        return start - 1;
    }
}

/// <summary>
/// Where a snapshot ends a log: the last entry it holds, that entry's epoch counter, and the group's configuration
/// in effect there (null when the log had none yet).
/// </summary>
/// <param name="Sequence">The last entry the snapshot holds; 0 for none.</param>
/// <param name="Epoch">That entry's epoch counter.</param>
/// <param name="Configuration">The configuration in effect there.</param>
public sealed record SnapshotBase(long Sequence, long Epoch, GroupConfiguration? Configuration)
{
    /// <summary>No snapshot: the log starts at sequence 1.</summary>
    public static readonly SnapshotBase None = new(0, 0, null);
}
