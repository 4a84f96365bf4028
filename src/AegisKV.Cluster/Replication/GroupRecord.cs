using System.Globalization;

namespace AegisKV.Cluster.Replication;

/// <summary>
/// How custody records a replicated shard: its group's member ids joined by commas, followed, once the group has
/// changed, by a semicolon and the log sequence the change committed at (so that a later change is never overwritten
/// by an earlier one). A record without either separator is an unreplicated shard's single holder.
/// </summary>
public static class GroupRecord
{
    /// <summary>The record of <paramref name="members"/>, changed at <paramref name="sequence"/> (0: as first recorded).</summary>
    public static string Format(IEnumerable<string> members, long sequence = 0)
    {
        var joined = string.Join(',', members);
        return sequence == 0 ? joined : joined + ";" + sequence.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>True when <paramref name="record"/> is a replica group rather than a single holder.</summary>
    public static bool IsGroup(string record) => record.Contains(',') || record.Contains('/');

    /// <summary>The member ids of a group record.</summary>
    public static string[] Members(string record) => MembersPart(record).Split(',');

    /// <summary>The log sequence a group record was changed at; 0 for one first recorded.</summary>
    public static long Sequence(string? record) =>
        record?.IndexOf(';') is int at and >= 0 && long.TryParse(record.AsSpan(at + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence) ? sequence : 0;

    /// <summary>
    /// True when the group <paramref name="record"/> has <paramref name="member"/>: that member id exactly, or, for a
    /// bare node id, any member on that node. A node back with another store is not a member of its old groups.
    /// </summary>
    public static bool Holds(string record, string member)
    {
        var exact = member.Contains('/');
        foreach (var held in Members(record))
            if (exact ? held == member : ClusterReplicaNetwork.NodeIdOf(held) == member) return true;
        return false;
    }

    private static string MembersPart(string record) => record.IndexOf(';') is var at and >= 0 ? record[..at] : record;
}
