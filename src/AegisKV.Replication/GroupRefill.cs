namespace AegisKV.Replication;

/// <summary>Where a group member's node stands, as the cluster sees it now.</summary>
public enum MemberPresence
{
    /// <summary>Its node is up with this member's store.</summary>
    Present,

    /// <summary>Its node is down or unreachable, not yet for long enough to give its copy up.</summary>
    Absent,

    /// <summary>Its copy is gone for good: its node came back with another (empty) store, or has been gone too long.</summary>
    Lost,
}

/// <summary>One change of a group's members, with why it is made.</summary>
/// <param name="Next">The group after the change: one member more or one fewer.</param>
/// <param name="Reason">For the log.</param>
public sealed record GroupStep(GroupConfiguration Next, string Reason);

/// <summary>
/// Keeps a replica group at the replication factor, one member at a time, the primary staying: a lost member goes
/// first, then the first-ranked node the group lacks joins. A lost member is dropped before its replacement is added
/// because it holds up no quorum either way, and a group that first grew would make every write wait until the new
/// member had caught up (its majority would need it). A member that is only absent keeps its place: a restart
/// copies no whole shard.
/// </summary>
public static class GroupRefill
{
    /// <summary>
    /// The next step for <paramref name="current"/>, led by <paramref name="self"/>, towards
    /// <paramref name="replicationFactor"/> members whose copies exist; null when it needs none or none can be made.
    /// </summary>
    /// <param name="current">The group as its log has it (its last change committed).</param>
    /// <param name="replicationFactor">Members wanted.</param>
    /// <param name="self">The primary, which stays.</param>
    /// <param name="presence">Where each member stands.</param>
    /// <param name="candidates">Members that could join, best first (at most one per node).</param>
    /// <param name="nodeOf">The node a member id belongs to: a group never has two members on one node.</param>
    public static GroupStep? Next(GroupConfiguration current, int replicationFactor, string self, Func<string, MemberPresence> presence,
        IReadOnlyList<string> candidates, Func<string, string> nodeOf)
    {
        foreach (var member in current.Members)
        {
            if (member == self || presence(member) != MemberPresence.Lost) continue;
            return new GroupStep(new GroupConfiguration([.. current.Members.Where(m => m != member)]), $"member {member} is lost");
        }

        if (current.Members.Count >= replicationFactor) return null;
        foreach (var candidate in candidates)
        {
            var node = nodeOf(candidate);
            if (current.Members.Any(m => nodeOf(m) == node)) continue;
            return new GroupStep(new GroupConfiguration([.. current.Members, candidate]),
                $"it has {current.Members.Count} of {replicationFactor} members");
        }

        return null;
    }
}
