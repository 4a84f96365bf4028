namespace AegisKV.Core.Replication;

/// <summary>
/// Asks a node's <see cref="ReplicaHost"/> how its copy of a shard stands; the shard actor leading it there, or else
/// the shard's follower, answers <see cref="CopyState"/>. Placement asks before it moves a primary.
/// </summary>
/// <param name="ShardId">The shard.</param>
public sealed record GetCopyState(int ShardId);

/// <summary>How one member's copy of a shard stands, as its replica there sees it.</summary>
/// <param name="ShardId">The shard.</param>
/// <param name="Member">The member that answers.</param>
/// <param name="Leads">True when it leads the group and serves.</param>
/// <param name="Rejoining">True when it lost its copy and has not caught up since.</param>
/// <param name="LastEpoch">The epoch of its log's last entry.</param>
/// <param name="LastSequence">Its log's last entry.</param>
/// <param name="Commit">The commit position it knows of.</param>
/// <param name="InSync">When it leads: the members it may hand the group to (see <c>ReplicaCore.InSyncMembers</c>); else empty.</param>
/// <param name="Starting">True while the shard actor there takes the group over (its view change), before it serves.</param>
public sealed record CopyState(int ShardId, string Member, bool Leads, bool Rejoining, long LastEpoch, long LastSequence, long Commit, IReadOnlyList<string> InSync,
    bool Starting = false)
{
    /// <summary>What a replica answers from its core at <paramref name="nowMs"/>.</summary>
    public static CopyState Of(int shardId, AegisKV.Replication.ReplicaCore core, bool serving, long nowMs, bool starting = false)
    {
        var log = core.Log;
        return new CopyState(shardId, core.Self, serving, core.IsRejoining, log.EpochAt(log.LastSequence) ?? 0, log.LastSequence, core.Commit,
            serving ? core.InSyncMembers(nowMs) : [], starting);
    }
}
