namespace AegisKV.Replication;

/// <summary>A message between two members of one replica group.</summary>
public abstract record ReplicaMessage(string From, string To, Epoch Epoch);

/// <summary>A candidate asks a member to promise <see cref="ReplicaMessage.Epoch"/>.</summary>
public sealed record Prepare(string From, string To, Epoch Epoch) : ReplicaMessage(From, To, Epoch);

/// <summary>
/// A member's promise not to accept anything of an earlier epoch, with where its log ends and how far it knows
/// the log to be committed.
/// </summary>
public sealed record Promise(string From, string To, Epoch Epoch, long LastEpoch, long LastSequence, long Commit) : ReplicaMessage(From, To, Epoch);

/// <summary>A member refuses a prepare or an append of <see cref="ReplicaMessage.Epoch"/>: it promised <paramref name="Promised"/>.</summary>
public sealed record Refusal(string From, string To, Epoch Epoch, Epoch Promised) : ReplicaMessage(From, To, Epoch);

/// <summary>
/// The primary's entries for a follower, following the entry at (<paramref name="PreviousEpoch"/>,
/// <paramref name="PreviousSequence"/>); without entries, a heartbeat. <paramref name="Commit"/>: the primary's
/// commit position. <paramref name="SentAt"/>: the primary's clock when it sent it, echoed in the reply, from
/// which the primary counts the lease the follower granted. <paramref name="RejoinAt"/>, to a member that lost its
/// copy: once its log holds the entries through there durably, it takes part again (0: not asked).
/// </summary>
public sealed record Append(string From, string To, Epoch Epoch, long PreviousEpoch, long PreviousSequence, IReadOnlyList<LogEntry> Entries, long Commit,
    long SentAt, long RejoinAt = 0) : ReplicaMessage(From, To, Epoch);

/// <summary>
/// A follower's answer to an <see cref="Append"/>: with <paramref name="Success"/>, its log matches the
/// primary's through <paramref name="Match"/> and is durable that far; without, its log does not hold the
/// previous entry, and the primary should resend from after <paramref name="Match"/>. <paramref name="Full"/>: the
/// follower's node is over its memory limit. <paramref name="Rejoining"/>: the follower lost its copy (ADR 0016): what
/// the primary knew of its log no longer holds, and <paramref name="Match"/> is all it has.
/// </summary>
public sealed record AppendReply(string From, string To, Epoch Epoch, bool Success, long Match, long SentAt, bool Full = false, bool Rejoining = false)
    : ReplicaMessage(From, To, Epoch);

/// <summary>
/// A member that lost its copy answers a candidate's prepare or fetch: it takes no part in view changes until it holds
/// the log again, so the candidate must find its majority among the others (and forget any promise it had from it).
/// </summary>
public sealed record Abstain(string From, string To, Epoch Epoch) : ReplicaMessage(From, To, Epoch);

/// <summary>A candidate asks the member with the most advanced log for its entries after <paramref name="After"/>.</summary>
public sealed record Fetch(string From, string To, Epoch Epoch, long After) : ReplicaMessage(From, To, Epoch);

/// <summary>
/// The entries a <see cref="Fetch"/> asked for, to the end of the member's log; when the member compacted some of
/// them into a snapshot, <paramref name="Image"/> holds the state through them and <paramref name="Entries"/> follow it.
/// </summary>
public sealed record Fetched(string From, string To, Epoch Epoch, long After, IReadOnlyList<LogEntry> Entries, SnapshotImage? Image = null)
    : ReplicaMessage(From, To, Epoch);

/// <summary>
/// The primary's snapshot for a follower whose next entry it no longer holds in its log: the follower replaces its
/// log by it. <paramref name="Commit"/> and <paramref name="SentAt"/> as in <see cref="Append"/>; the follower
/// answers with an <see cref="AppendReply"/>.
/// </summary>
public sealed record InstallSnapshot(string From, string To, Epoch Epoch, SnapshotImage Image, long Commit, long SentAt) : ReplicaMessage(From, To, Epoch);

/// <summary>A shard's state through a committed entry, as the shell encodes it, with where it ends the log.</summary>
/// <param name="Base">The last entry it holds, that entry's epoch and the configuration there.</param>
/// <param name="Payload">The state, opaque to the core.</param>
public sealed record SnapshotImage(SnapshotBase Base, ReadOnlyMemory<byte> Payload);
