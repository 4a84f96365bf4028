using System.Buffers.Binary;
using AegisKV.Replication;

namespace AegisKV.Replication.Tests;

/// <summary>
/// One member in the simulation: its core, its disk (a snapshot and the entries after it: what survives a crash),
/// the readies whose writes are not on that disk yet, in order, and its state: the committed entries it applied, as
/// a shard applies its events.
/// </summary>
internal sealed class SimulatedReplica(string id, ReplicaOptions options, GroupConfiguration group)
{
    private readonly List<LogEntry> _disk = [];
    private readonly List<LogEntry> _applied = [];
    private readonly HashSet<string> _snapshotsWanted = [];
    private SnapshotImage? _snapshotOnDisk;
    private Epoch _promisedOnDisk = Epoch.None;
    private bool _rejoiningOnDisk;

    public string Id { get; } = id;

    public ReplicaCore Core { get; private set; } = new(id, options, group, new ReplicaLog(), Epoch.None, 0);

    public bool Up { get; private set; } = true;

    public Queue<Ready> Unpersisted { get; } = new();

    /// <summary>True from the loss of its disk until it has caught up again (what its metadata says).</summary>
    public bool Rejoining => _rejoiningOnDisk;

    /// <summary>Times its disk was lost.</summary>
    public int DisksLost { get; private set; }

    /// <summary>Times it took part again after a loss.</summary>
    public int Rejoins { get; private set; }

    /// <summary>The state: every entry applied, from sequence 1, each committed.</summary>
    public IReadOnlyList<LogEntry> Applied => _applied;

    /// <summary>How many of <see cref="Applied"/> the simulation has checked against what was committed.</summary>
    public int CheckedApplied { get; set; }

    /// <summary>Snapshots sent to other members (installs and fetches served from one).</summary>
    public int SnapshotsSent { get; private set; }

    /// <summary>Writes the oldest ready to disk; returns it (its after-persist messages may go now).</summary>
    public Ready PersistOldest()
    {
        var ready = Unpersisted.Dequeue();
        if (ready.Snapshot is { } image)
        {
            _snapshotOnDisk = image;
            _disk.Clear();
            _applied.Clear();
            _applied.AddRange(Decode(image.Payload));
            CheckedApplied = 0;
        }

        var diskBase = _snapshotOnDisk?.Base.Sequence ?? 0;
        if (ready.Truncate is { } after && after - diskBase < _disk.Count) _disk.RemoveRange((int)(after - diskBase), _disk.Count - (int)(after - diskBase));
        foreach (var entry in ready.Entries)
        {
            if (entry.Sequence != diskBase + _disk.Count + 1) throw new InvalidOperationException($"{Id}: entry {entry.Sequence} written after {diskBase + _disk.Count}");
            _disk.Add(entry);
        }

        if (ready.Promised is { } promised) _promisedOnDisk = promised;
        if (ready.Rejoined)
        {
            _rejoiningOnDisk = false;
            Rejoins++;
        }

        Core.Persisted(ready);
        return ready;
    }

    /// <summary>Notes the members that want a snapshot; they get one once this member can take it.</summary>
    public void WantSnapshots(Ready ready)
    {
        foreach (var member in ready.SnapshotsWanted) _snapshotsWanted.Add(member);
    }

    /// <summary>
    /// Applies the committed entries it has not applied yet, then hands a snapshot of its state to the members that
    /// want one. Nothing while a snapshot it received is not on disk (its state is then behind its log's base).
    /// </summary>
    public void ApplyAndServeSnapshots()
    {
        var log = Core.Log;
        if (_applied.Count < log.BaseSequence) return;
        for (var sequence = _applied.Count + 1L; sequence <= Core.Commit; sequence++) _applied.Add(log[sequence]);
        foreach (var member in _snapshotsWanted)
        {
            if (Core.SendSnapshot(member, _applied.Count, Encode(_applied))) SnapshotsSent++;
        }

        _snapshotsWanted.Clear();
    }

    /// <summary>
    /// Writes a snapshot of its state when nothing else waits for the disk, and compacts its log behind it: through
    /// all it applied, or (<paramref name="holdBack"/>) no further than every member's copy reaches.
    /// </summary>
    public bool TakeSnapshot(bool holdBack)
    {
        var log = Core.Log;
        if (Unpersisted.Count > 0 || _applied.Count < log.BaseSequence) return false;
        var through = holdBack ? Math.Min(_applied.Count, Core.LowestMatch) : _applied.Count;
        if (through <= log.BaseSequence) return false;
        var diskBase = _snapshotOnDisk?.Base.Sequence ?? 0;
        _snapshotOnDisk = new SnapshotImage(new SnapshotBase(through, log.EpochAt(through)!.Value, log.ConfigurationAt(through)), Encode(_applied.Take((int)through)));
        _disk.RemoveRange(0, (int)(through - diskBase));
        Core.Compact(through);
        return true;
    }

    /// <summary>Loses everything not on disk.</summary>
    public void Crash()
    {
        Up = false;
        Unpersisted.Clear();
        _snapshotsWanted.Clear();
    }

    /// <summary>
    /// Crashes and loses its log and snapshot, as a node whose WAL was damaged discards its copy: the promise, kept apart,
    /// stays, and the member is marked as rejoining (ADR 0016).
    /// </summary>
    /// <param name="markRejoining">False only to show what the mark prevents: the member then votes with its empty log at once.</param>
    public void LoseDisk(bool markRejoining = true)
    {
        Crash();
        DisksLost++;
        // The group as the metadata keeps it: the newest configuration written.
        var members = _disk.LastOrDefault(e => e.Configuration is not null)?.Configuration ?? _snapshotOnDisk?.Base.Configuration;
        _disk.Clear();
        _snapshotOnDisk = members is null ? null : new SnapshotImage(new SnapshotBase(0, 0, members), Encode([]));
        _rejoiningOnDisk = markRejoining;
    }

    /// <summary>Starts again from the disk at <paramref name="nowMs"/>.</summary>
    public void Restart(long nowMs)
    {
        _applied.Clear();
        CheckedApplied = 0;
        if (_snapshotOnDisk is { } image) _applied.AddRange(Decode(image.Payload));
        Core = new ReplicaCore(Id, options, group, new ReplicaLog(_snapshotOnDisk?.Base ?? SnapshotBase.None, _disk), _promisedOnDisk, nowMs,
            rejoining: _rejoiningOnDisk);
        Up = true;
    }

    // Each entry as epoch (8 bytes), kind (1) and its payload's length (1) and bytes.
    private static byte[] Encode(IEnumerable<LogEntry> entries)
    {
        var bytes = new List<byte>();
        Span<byte> epoch = stackalloc byte[8];
        foreach (var entry in entries)
        {
            BinaryPrimitives.WriteInt64LittleEndian(epoch, entry.Epoch);
            bytes.AddRange(epoch);
            bytes.Add((byte)entry.Kind);
            bytes.Add((byte)entry.Payload.Length);
            bytes.AddRange(entry.Payload.Span);
        }

        return [.. bytes];
    }

    private static List<LogEntry> Decode(ReadOnlyMemory<byte> payload)
    {
        var entries = new List<LogEntry>();
        var span = payload.Span;
        while (!span.IsEmpty)
        {
            var length = span[9];
            entries.Add(new LogEntry(BinaryPrimitives.ReadInt64LittleEndian(span), entries.Count + 1, span.Slice(10, length).ToArray(), (EntryKind)span[8]));
            span = span[(10 + length)..];
        }

        return entries;
    }
}
