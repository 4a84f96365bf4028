namespace AegisKV.Cluster.Custody;

/// <summary>
/// One replica's state of one custody entry (a shard's holder): the highest ballot it promised, and the value it
/// accepted last with that value's ballot. Replicas keep these durably; a majority of them decides the entry.
/// </summary>
/// <param name="Promised">No write under a lower ballot is accepted any more.</param>
/// <param name="Accepted">The ballot <paramref name="Value"/> was accepted under; <see cref="Ballot.Zero"/> for none.</param>
/// <param name="Value">The accepted value (for a shard: its holder's node id), or null when none was.</param>
public sealed record Register(Ballot Promised, Ballot Accepted, string? Value)
{
    /// <summary>A register nothing was written to.</summary>
    public static readonly Register Empty = new(Ballot.Zero, Ballot.Zero, null);
}
