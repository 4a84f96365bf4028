namespace AegisKV.Replication;

// A member that lost its copy (its WAL was damaged, ADR 0016) rejoins its group under the same name. It keeps the epoch
// it promised, promises nothing to a candidate, and follows the primary until its log holds durably every entry that
// was committed when the primary learnt of the loss; the primary forgets what it knew of that member's log at the
// member's first answer. Until then every majority that can decide leaves the member out, and every such majority
// meets every quorum that committed an entry on the lost copy. As a candidate it needs a majority of the others.
public sealed partial class ReplicaCore
{
    // On a primary: members that answered as rejoining, with the commit position when it first heard of it.
    private readonly Dictionary<string, long> _rejoinAt = new(StringComparer.Ordinal);

    // On a rejoining member: where its log, known to match a primary's that far, must be durable.
    private long? _rejoinTarget;

    /// <summary>True while this member, having lost its copy, takes no part in view changes (it follows meanwhile).</summary>
    public bool IsRejoining { get; private set; }

    // Primary: what it knew of the member's log went with its copy. It holds what this answer says, and no more.
    private void OnRejoiningReply(AppendReply reply)
    {
        _rejoinAt.TryAdd(reply.From, Math.Max(1, _commit));
        _match[reply.From] = 0;
    }

    // A rejoining member: a primary's append matched its log through `match`, and asks it to hold through `rejoinAt`.
    private void NoteRejoinTarget(long rejoinAt, long match)
    {
        if (!IsRejoining || rejoinAt <= 0 || match < rejoinAt) return;
        _rejoinTarget = rejoinAt;
        MaybeRejoin();
    }

    // Once what it must hold is durable, it says so (durably, first) and takes part again.
    private void MaybeRejoin()
    {
        if (!IsRejoining || _rejoinTarget is not { } target || _durable < target) return;
        IsRejoining = false;
        _rejoinTarget = null;
        _out.Rejoined();
    }

    // A smaller group whose members that hold their copies are not a majority of it could never change its primary.
    private bool LeavesTooFewCopies(GroupConfiguration next)
    {
        if (next.Members.Count >= Configuration.Members.Count) return false;
        var holding = 0;
        foreach (var member in next.Members)
            if (member == _self ? !IsRejoining : !_rejoinAt.ContainsKey(member)) holding++;
        return holding < next.Majority;
    }

    // A candidate's prepare or fetch to a rejoining member: no promise, no entries.
    private bool Abstains(ReplicaMessage request)
    {
        if (!IsRejoining) return false;
        See(request.Epoch);
        _out.Send(new Abstain(_self, request.From, request.Epoch));
        return true;
    }

    private void OnAbstain(Abstain abstain)
    {
        if (Role != ReplicaRole.Candidate || abstain.Epoch != _epoch) return;
        // A promise it made before it lost its copy described a log it no longer has.
        _promises.Remove(abstain.From);
        if (_donor != abstain.From) return;
        _donor = null;
        Conclude();
    }
}
