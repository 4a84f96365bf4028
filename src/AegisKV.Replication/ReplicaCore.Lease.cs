namespace AegisKV.Replication;

// Read leases: a follower that accepted an append from the primary promises no other epoch for the lease time
// (on its own clock, from when it received it); the primary counts each follower's grant from when it sent the
// append the follower answered, less a margin, and reads from memory while a majority, itself included, grants.
public sealed partial class ReplicaCore
{
    private long _grantedUntil = long.MinValue;

    /// <summary>Members that must hold an entry durably for it to commit, in the group as it is now.</summary>
    public int WriteQuorumSize => _options.WriteQuorum.Required(Configuration, _initial);

    /// <summary>When the lease this member last granted runs out (on the clock it is given).</summary>
    public long GrantedUntil => _grantedUntil;

    /// <summary>True while this member promised the current primary to promise no other epoch.</summary>
    private bool IsGranting => _now < _grantedUntil;

    /// <summary>
    /// True when this member may answer a read from memory at <paramref name="nowMs"/>: it serves, and a majority
    /// of the group (itself included) has granted it a lease that has not run out, so no other member can have
    /// become primary and committed anything since.
    /// </summary>
    public bool HasReadLease(long nowMs) => IsServing && MembersGranting(nowMs) >= Configuration.Majority;

    /// <summary>
    /// Members of the group, this primary included, whose lease grant has not run out at <paramref name="nowMs"/>:
    /// those that acknowledged it lately. 0 when this member does not lead.
    /// </summary>
    public int MembersGranting(long nowMs)
    {
        if (Role != ReplicaRole.Primary) return 0;
        var configuration = Configuration;
        var granting = configuration.Contains(_self) ? 1 : 0;
        foreach (var member in configuration.Members)
        {
            if (member != _self && _leaseFrom.TryGetValue(member, out var from) && from + _options.LeaseMs - _options.LeaseMarginMs > nowMs)
                granting++;
        }

        return granting;
    }

    /// <summary>
    /// While this member leads: the members, itself included, that a primary may move to without a long catch-up —
    /// each acknowledged it within the lease, holds its copy (is not rejoining) and lacks at most
    /// <see cref="ReplicaOptions.InSyncLag"/> entries. Empty on a member that does not lead.
    /// </summary>
    public IReadOnlyList<string> InSyncMembers(long nowMs)
    {
        if (Role != ReplicaRole.Primary) return [];
        var inSync = new List<string>(Configuration.Members.Count);
        foreach (var member in Configuration.Members)
        {
            if (member == _self)
            {
                if (!IsRejoining) inSync.Add(member);
                continue;
            }

            if (_leaseFrom.TryGetValue(member, out var from) && from + _options.LeaseMs - _options.LeaseMarginMs > nowMs && !_rejoinAt.ContainsKey(member)
                && _log.LastSequence - _match.GetValueOrDefault(member) <= _options.InSyncLag)
                inSync.Add(member);
        }

        return inSync;
    }
}
