using AegisKV.Replication;

namespace AegisKV.Replication.Tests;

/// <summary>
/// One member in the simulation: its core, its disk (what survives a crash) and the readies whose writes are
/// not on that disk yet, in order.
/// </summary>
internal sealed class SimulatedReplica(string id, ReplicaOptions options, GroupConfiguration group)
{
    private readonly List<LogEntry> _disk = [];
    private Epoch _promisedOnDisk = Epoch.None;

    public string Id { get; } = id;

    public ReplicaCore Core { get; private set; } = new(id, options, group, new ReplicaLog(), Epoch.None, 0);

    public bool Up { get; private set; } = true;

    public Queue<Ready> Unpersisted { get; } = new();

    public IReadOnlyList<LogEntry> Disk => _disk;

    /// <summary>Writes the oldest ready to disk; returns it (its after-persist messages may go now).</summary>
    public Ready PersistOldest()
    {
        var ready = Unpersisted.Dequeue();
        if (ready.Truncate is { } after && after < _disk.Count) _disk.RemoveRange((int)after, _disk.Count - (int)after);
        foreach (var entry in ready.Entries)
        {
            if (entry.Sequence != _disk.Count + 1) throw new InvalidOperationException($"{Id}: entry {entry.Sequence} written after {_disk.Count}");
            _disk.Add(entry);
        }

        if (ready.Promised is { } promised) _promisedOnDisk = promised;
        Core.Persisted(ready);
        return ready;
    }

    /// <summary>Loses everything not on disk.</summary>
    public void Crash()
    {
        Up = false;
        Unpersisted.Clear();
    }

    /// <summary>Starts again from the disk at <paramref name="nowMs"/>.</summary>
    public void Restart(long nowMs)
    {
        Core = new ReplicaCore(Id, options, group, new ReplicaLog(_disk), _promisedOnDisk, nowMs);
        Up = true;
    }
}
