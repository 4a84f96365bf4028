namespace AegisKV.Replication;

/// <summary>
/// How many members must hold an entry durably before it is committed (<c>--write-quorum</c>): a majority of
/// the group, all of it, or a number. A number that is a majority of the group's first size stays at least a
/// majority while members are added and removed, so a change of members never turns it into an asynchronous
/// quorum; a smaller number is asynchronous replication, which a failover can lose writes under.
/// </summary>
public readonly record struct WriteQuorum
{
    private WriteQuorum(int count) => Count = count;

    /// <summary>A majority of the group as it is at each moment.</summary>
    public static WriteQuorum Majority { get; } = new(0);

    /// <summary>Every member of the group.</summary>
    public static WriteQuorum All { get; } = new(int.MaxValue);

    /// <summary>0 for a majority, <see cref="int.MaxValue"/> for all, else the number of members.</summary>
    public int Count { get; }

    /// <summary>A fixed number of members, at least 1.</summary>
    public static WriteQuorum Of(int count) => count >= 1 ? new WriteQuorum(count) : throw new ArgumentOutOfRangeException(nameof(count), "a write quorum is at least 1");

    /// <summary>True when every committed entry is on a majority, so a view change can never lose it.</summary>
    public bool IsMajority(GroupConfiguration first) => Count == 0 || Count >= first.Majority;

    /// <summary>How many durable copies commit an entry in <paramref name="group"/>, the group having started as <paramref name="first"/>.</summary>
    public int Required(GroupConfiguration group, GroupConfiguration first)
    {
        var members = group.Members.Count;
        if (Count == 0) return group.Majority;
        var fixedCount = Math.Min(Count, members);
        return IsMajority(first) ? Math.Max(fixedCount, group.Majority) : fixedCount;
    }

    /// <inheritdoc />
    public override string ToString() => Count switch { 0 => "majority", int.MaxValue => "all", _ => Count.ToString(System.Globalization.CultureInfo.InvariantCulture) };
}
