using AegisKV.Core.Replication;

namespace AegisKV.Cluster.Placement;

/// <summary>
/// Which members of a replica group a primary may move to, from what the members said of their copies
/// (<see cref="CopyState"/>): a member that leads names them itself (it knows what each acknowledged); without one,
/// those whose logs end in the newest epoch any of them holds, lack at most <c>lag</c> of the entries any of them
/// knows committed, and hold their copies. Placement prefers them: any member could take over safely (a view change
/// brings it up to the most advanced log first), but one that lacks much would keep the shard down while it copies.
/// </summary>
public static class InSyncCopies
{
    /// <summary>The members in sync among <paramref name="states"/>; empty when none answered.</summary>
    public static IReadOnlySet<string> Of(IReadOnlyCollection<CopyState> states, long lag)
    {
        CopyState? leader = null;
        long newestEpoch = 0, highestCommit = 0;
        foreach (var state in states)
        {
            if (state.Leads && (leader is null || state.LastEpoch > leader.LastEpoch)) leader = state;
            newestEpoch = Math.Max(newestEpoch, state.LastEpoch);
            highestCommit = Math.Max(highestCommit, state.Commit);
        }

        if (leader is not null) return new HashSet<string>(leader.InSync, StringComparer.Ordinal);
        var inSync = new HashSet<string>(StringComparer.Ordinal);
        foreach (var state in states)
            if (!state.Rejoining && state.LastEpoch == newestEpoch && state.LastSequence >= highestCommit - lag)
                inSync.Add(state.Member);
        return inSync;
    }
}
