namespace AegisKV.Cluster.Custody;

/// <summary>A message between custody replicas and the rounds that write through them; all cross nodes.</summary>
public interface ICustodyMessage;

/// <summary>Phase one of a write: asks a replica to promise to accept nothing below <paramref name="Ballot"/> for <paramref name="Key"/>.</summary>
public sealed record Prepare(long RoundId, string Key, Ballot Ballot) : ICustodyMessage;

/// <summary>
/// A replica's answer to <see cref="Prepare"/>: whether it promised, its promise, what it last accepted, and its
/// membership (so a round learns members it did not know).
/// </summary>
public sealed record Promise(long RoundId, string NodeId, bool Granted, Register Register, Membership Members) : ICustodyMessage;

/// <summary>Phase two: asks a replica to accept <paramref name="Value"/> under <paramref name="Ballot"/>.</summary>
public sealed record Accept(long RoundId, string Key, Ballot Ballot, string Value) : ICustodyMessage;

/// <summary>A replica's answer to <see cref="Accept"/>; when refused, <paramref name="Promised"/> says why.</summary>
public sealed record Accepted(long RoundId, string NodeId, bool Granted, Ballot Promised, Membership Members) : ICustodyMessage;

/// <summary>The leader's membership change, merged by every replica it reaches.</summary>
public sealed record MergeMembership(Membership Members) : ICustodyMessage;
