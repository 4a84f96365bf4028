namespace AegisKV.Replication;

/// <summary>What a core has to say between two <see cref="ReplicaCore.TakeReady"/> calls.</summary>
internal sealed class Outbox
{
    private readonly List<LogEntry> _entries = [];
    private readonly List<(long Id, long After)> _truncations = [];
    private List<ReplicaMessage> _immediate = [];
    private List<ReplicaMessage> _afterPersist = [];
    private List<string> _snapshotsWanted = [];
    private SnapshotImage? _snapshot;
    private long _nextId = 1;
    private long? _truncate;
    private Epoch? _promised;
    private long? _commit;
    private ReplicaRole? _role;
    private bool _rejoined;

    public void Truncate(long after)
    {
        // Entries appended since the last ready and now cut off are never written at all.
        _entries.RemoveAll(e => e.Sequence > after);
        // After a snapshot in the same ready, the log on disk is the snapshot and what follows it: nothing else to cut.
        if (_snapshot is null) _truncate = _truncate is { } earlier ? Math.Min(earlier, after) : after;
    }

    public void Add(LogEntry entry) => _entries.Add(entry);

    // A snapshot replaces the whole log, so until it is durable the durable log matches the core's nowhere.
    public void Install(SnapshotImage image)
    {
        _entries.Clear();
        _truncate = null;
        _snapshot = image;
    }

    public void WantSnapshot(string member)
    {
        if (!_snapshotsWanted.Contains(member)) _snapshotsWanted.Add(member);
    }

    public void Promise(Epoch epoch) => _promised = epoch;

    public void Send(ReplicaMessage message) => _immediate.Add(message);

    public void SendAfterPersist(ReplicaMessage message) => _afterPersist.Add(message);

    public void CommitAdvanced(long commit) => _commit = commit;

    public void RoleChanged(ReplicaRole role) => _role = role;

    public void Rejoined() => _rejoined = true;

    public Ready Take(long logEnd)
    {
        // Most readies carry little (a flush after every message): an empty list is handed over as the shared empty one.
        var ready = new Ready(_nextId++, logEnd, _snapshot, _truncate, _entries.Count == 0 ? [] : _entries.ToArray(), _promised, Handed(ref _immediate),
            Handed(ref _afterPersist), _commit, _role, Handed(ref _snapshotsWanted), _rejoined);
        if (_snapshot is not null) _truncations.Add((ready.Id, 0));
        else if (_truncate is { } after) _truncations.Add((ready.Id, after));
        _entries.Clear();
        _snapshot = null;
        _truncate = null;
        _promised = null;
        _commit = null;
        _role = null;
        _rejoined = false;
        return ready;
    }

    // The list for a ready, replaced by a new one when it holds anything (the ready keeps it).
    private static IReadOnlyList<T> Handed<T>(ref List<T> list)
    {
        if (list.Count == 0) return [];
        var handed = list;
        list = [];
        return handed;
    }

    // Once ready `id` is durable, the durable log matches the core's only up to the lowest cut still pending:
    // a later ready (taken or not) that truncates replaces what lies above it.
    public long TruncationFloorAfter(long id)
    {
        _truncations.RemoveAll(t => t.Id <= id);
        var floor = _snapshot is not null ? 0 : _truncate ?? long.MaxValue;
        foreach (var (_, after) in _truncations) floor = Math.Min(floor, after);
        return floor;
    }
}
