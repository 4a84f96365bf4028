namespace AegisKV.Replication;

/// <summary>What a replica's role is.</summary>
public enum ReplicaRole
{
    /// <summary>Follows the primary of the epoch it promised (or waits for one).</summary>
    Follower,

    /// <summary>Runs a view change for its own epoch.</summary>
    Candidate,

    /// <summary>Leads its epoch; serves once its epoch-start entry is committed.</summary>
    Primary,
}

/// <summary>
/// What the core asks of the shell, taken with <see cref="ReplicaCore.TakeReady"/>: first make
/// <see cref="Snapshot"/>, <see cref="Truncate"/>, <see cref="Entries"/> and <see cref="Promised"/> durable, in
/// that order and in the order of successive readies, then report <see cref="ReplicaCore.Persisted"/> and send
/// <see cref="AfterPersist"/>. <see cref="Immediate"/> may be sent at once (the primary's appends: it counts
/// itself only once its own copy is durable). For each member in <see cref="SnapshotsWanted"/>, take a snapshot
/// at a committed position and hand it to <see cref="ReplicaCore.SendSnapshot"/>.
/// </summary>
/// <param name="Id">Readies are numbered in the order they are taken; persist them in that order.</param>
/// <param name="LogEnd">Where the log ends once this ready's writes are durable.</param>
/// <param name="Snapshot">Replace the whole durable log (and the state) by this snapshot first; null: keep it.</param>
/// <param name="Truncate">Drop every durable entry after this sequence; null: nothing to drop.</param>
/// <param name="Entries">Entries to append after that.</param>
/// <param name="Promised">The promised epoch to store, when it changed.</param>
/// <param name="Immediate">Messages that may be sent before the writes are durable.</param>
/// <param name="AfterPersist">Messages to send only once the writes are durable.</param>
/// <param name="Commit">The commit position, when it advanced: entries through it may be applied and answered.</param>
/// <param name="Role">The role, when it changed.</param>
/// <param name="SnapshotsWanted">Members that need a snapshot: their next entry is compacted here.</param>
/// <param name="Rejoined">
/// The member, which had lost its copy, holds the log again as far as it must: store that it takes part again, after
/// the writes of every earlier ready and before anything of this one is sent.
/// </param>
public sealed record Ready(
    long Id,
    long LogEnd,
    SnapshotImage? Snapshot,
    long? Truncate,
    IReadOnlyList<LogEntry> Entries,
    Epoch? Promised,
    IReadOnlyList<ReplicaMessage> Immediate,
    IReadOnlyList<ReplicaMessage> AfterPersist,
    long? Commit,
    ReplicaRole? Role,
    IReadOnlyList<string> SnapshotsWanted,
    bool Rejoined = false)
{
    /// <summary>True when there is nothing to do.</summary>
    public bool IsEmpty => !HasWrites && Immediate.Count == 0 && AfterPersist.Count == 0 && Commit is null && Role is null && SnapshotsWanted.Count == 0;

    /// <summary>True when the shell must write something before it may send <see cref="AfterPersist"/>.</summary>
    public bool HasWrites => Snapshot is not null || Truncate is not null || Entries.Count > 0 || Promised is not null || Rejoined;
}
