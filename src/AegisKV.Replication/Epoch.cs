namespace AegisKV.Replication;

/// <summary>
/// The epoch of a primary incarnation: a counter and the id of the member that leads it, ordered by counter,
/// then member id. A member promises an epoch only when its counter is above every counter it promised before,
/// so of two candidates that picked the same counter at most one gathers a majority: the counter alone names
/// the primary that wrote a log entry, and entries store only the counter.
/// </summary>
/// <param name="Counter">Higher for later incarnations.</param>
/// <param name="Member">The member that leads it.</param>
public readonly record struct Epoch(long Counter, string Member) : IComparable<Epoch>
{
    /// <summary>Below every epoch any member starts: the epoch of an empty log.</summary>
    public static readonly Epoch None = new(0, "");

    /// <summary>True when a member that promised this epoch may promise <paramref name="other"/>: the same epoch, or a later counter.</summary>
    public bool Admits(Epoch other) => other == this || other.Counter > Counter;

    /// <inheritdoc />
    public int CompareTo(Epoch other)
    {
        var byCounter = Counter.CompareTo(other.Counter);
        return byCounter != 0 ? byCounter : string.CompareOrdinal(Member, other.Member);
    }

    /// <summary>True when <paramref name="a"/> is later than <paramref name="b"/>.</summary>
    public static bool operator >(Epoch a, Epoch b) => a.CompareTo(b) > 0;

    /// <summary>True when <paramref name="a"/> is earlier than <paramref name="b"/>.</summary>
    public static bool operator <(Epoch a, Epoch b) => a.CompareTo(b) < 0;

    /// <summary>True when <paramref name="a"/> is not earlier than <paramref name="b"/>.</summary>
    public static bool operator >=(Epoch a, Epoch b) => a.CompareTo(b) >= 0;

    /// <summary>True when <paramref name="a"/> is not later than <paramref name="b"/>.</summary>
    public static bool operator <=(Epoch a, Epoch b) => a.CompareTo(b) <= 0;

    /// <inheritdoc />
    public override string ToString() => Counter == 0 && Member.Length == 0 ? "none" : $"{Counter}.{Member}";
}
