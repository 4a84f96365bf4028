namespace AegisKV.Cluster.Custody;

/// <summary>
/// The number a custody write is made under: a counter and the id of the node that chose it, so no two nodes
/// ever use the same ballot. Ordered by counter, then node id.
/// </summary>
public readonly record struct Ballot(long Counter, string NodeId) : IComparable<Ballot>
{
    /// <summary>Below every ballot a node can choose.</summary>
    public static readonly Ballot Zero = new(0, "");

    /// <inheritdoc />
    public int CompareTo(Ballot other)
    {
        var byCounter = Counter.CompareTo(other.Counter);
        return byCounter != 0 ? byCounter : string.CompareOrdinal(NodeId ?? "", other.NodeId ?? "");
    }

    /// <summary>True when <paramref name="a"/> orders after <paramref name="b"/>.</summary>
    public static bool operator >(Ballot a, Ballot b) => a.CompareTo(b) > 0;

    /// <summary>True when <paramref name="a"/> orders before <paramref name="b"/>.</summary>
    public static bool operator <(Ballot a, Ballot b) => a.CompareTo(b) < 0;

    /// <summary>True when <paramref name="a"/> orders after or equals <paramref name="b"/>.</summary>
    public static bool operator >=(Ballot a, Ballot b) => a.CompareTo(b) >= 0;

    /// <summary>True when <paramref name="a"/> orders before or equals <paramref name="b"/>.</summary>
    public static bool operator <=(Ballot a, Ballot b) => a.CompareTo(b) <= 0;

    /// <inheritdoc />
    public override string ToString() => $"{Counter}@{NodeId}";
}
