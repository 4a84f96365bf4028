using System.Collections.Immutable;

namespace AegisKV.Cluster.Custody;

/// <summary>
/// The cluster's last known data members, whose majority custody decisions need. Each node id carries a version
/// and whether it is a member; replicas merge copies entry by entry, the higher version winning. Only the
/// cluster's leader changes it: a data node that comes up is added, one that left gracefully is removed, one that
/// crashed stays (it holds data, and counts until it returns or an operator removes it).
/// </summary>
public sealed class Membership : IEquatable<Membership>
{
    /// <summary>No members known.</summary>
    public static readonly Membership Empty = new(ImmutableSortedDictionary.Create<string, Entry>(StringComparer.Ordinal));

    private Membership(ImmutableSortedDictionary<string, Entry> entries)
    {
        Entries = entries;
        Members = entries.Where(e => e.Value.Present).Select(e => e.Key).ToImmutableArray();
    }

    /// <summary>Every node id ever recorded, with its version and presence.</summary>
    public ImmutableSortedDictionary<string, Entry> Entries { get; }

    /// <summary>The members, in ordinal order.</summary>
    public ImmutableArray<string> Members { get; }

    /// <summary>How many of the members make a majority.</summary>
    public int Majority => Members.Length / 2 + 1;

    /// <summary>True when <paramref name="nodeId"/> is a member.</summary>
    public bool Contains(string nodeId) => Entries.TryGetValue(nodeId, out var entry) && entry.Present;

    /// <summary>
    /// This membership with <paramref name="nodeId"/> added or removed under a new version; <paramref name="address"/>
    /// is its gossip address as last seen (kept when null), which a member restarted without seeds rejoins through.
    /// </summary>
    public Membership With(string nodeId, bool present, string? address = null)
    {
        var known = Entries.TryGetValue(nodeId, out var entry);
        return new Membership(Entries.SetItem(nodeId, new Entry(known ? entry.Version + 1 : 1, present, address ?? (known ? entry.Address : ""))));
    }

    /// <summary>The last seen gossip address of <paramref name="nodeId"/>, empty when none.</summary>
    public string AddressOf(string nodeId) => Entries.TryGetValue(nodeId, out var entry) ? entry.Address : "";

    /// <summary>Each entry at the higher of the two versions.</summary>
    public Membership Merge(Membership other)
    {
        var merged = Entries;
        foreach (var (nodeId, theirs) in other.Entries)
            if (!merged.TryGetValue(nodeId, out var ours) || theirs.Version > ours.Version)
                merged = merged.SetItem(nodeId, theirs);
        return ReferenceEquals(merged, Entries) ? this : new Membership(merged);
    }

    /// <summary>Builds a membership from stored or received entries.</summary>
    public static Membership Of(IEnumerable<KeyValuePair<string, Entry>> entries) =>
        new(ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, entries));

    /// <inheritdoc />
    public bool Equals(Membership? other) => other is not null && Entries.Count == other.Entries.Count
        && Entries.All(e => other.Entries.TryGetValue(e.Key, out var theirs) && theirs == e.Value);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Membership);

    /// <inheritdoc />
    public override int GetHashCode() => Entries.Count;

    /// <inheritdoc />
    public override string ToString() => string.Join(", ", Members);

    /// <summary>A node id's version, whether it is a member, and its gossip address as last seen.</summary>
    public readonly record struct Entry(long Version, bool Present, string Address = "");
}
