namespace AegisKV.Replication;

/// <summary>What a log entry holds.</summary>
public enum EntryKind : byte
{
    /// <summary>The shard's events, opaque to the core.</summary>
    Data,

    /// <summary>Appended by a primary when its epoch starts; carries the group's configuration.</summary>
    EpochStart,

    /// <summary>A change of the group's members (one added or one removed), in effect from the moment it is in the log.</summary>
    Configuration,
}

/// <summary>
/// One entry of a shard's replicated log. An entry that starts an epoch, or changes the members, carries the
/// group's configuration and no payload; the others carry the shard's events, which the core never looks into.
/// </summary>
/// <param name="Epoch">The counter of the epoch whose primary appended it: no two primaries share one (see <see cref="Replication.Epoch"/>).</param>
/// <param name="Sequence">Its place in the log, from 1, without gaps.</param>
/// <param name="Payload">The shard's events, opaque here.</param>
/// <param name="Kind">What it holds.</param>
/// <param name="Configuration">For an epoch-start or configuration entry, the group's members from then on; null otherwise.</param>
public sealed record LogEntry(long Epoch, long Sequence, ReadOnlyMemory<byte> Payload, EntryKind Kind = EntryKind.Data, GroupConfiguration? Configuration = null)
{
    /// <summary>True for the entry a primary appends when its epoch starts.</summary>
    public bool StartsEpoch => Kind == EntryKind.EpochStart;
}

/// <summary>The members of a replica group: node id plus store id, as the shell names them.</summary>
/// <param name="Members">The members, in no particular order.</param>
public sealed record GroupConfiguration(IReadOnlyList<string> Members)
{
    /// <summary>How many members make a majority.</summary>
    public int Majority => Members.Count / 2 + 1;

    /// <summary>True when <paramref name="member"/> belongs to the group.</summary>
    public bool Contains(string member) => Members.Contains(member, StringComparer.Ordinal);

    /// <summary>True when <paramref name="next"/> differs from this group by exactly one member added or removed.</summary>
    public bool IsOneStepTo(GroupConfiguration next)
    {
        var added = next.Members.Count(m => !Contains(m));
        var removed = Members.Count(m => !next.Contains(m));
        return added + removed == 1 && next.Members.Distinct(StringComparer.Ordinal).Count() == next.Members.Count;
    }

    /// <inheritdoc />
    public bool Equals(GroupConfiguration? other) => other is not null && Members.SequenceEqual(other.Members, StringComparer.Ordinal);

    /// <inheritdoc />
    public override int GetHashCode() => Members.Aggregate(0, (hash, member) => HashCode.Combine(hash, StringComparer.Ordinal.GetHashCode(member)));

    /// <inheritdoc />
    public override string ToString() => "{" + string.Join(", ", Members) + "}";
}
