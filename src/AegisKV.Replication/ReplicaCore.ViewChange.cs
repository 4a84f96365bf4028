namespace AegisKV.Replication;

// The view change: promises from a majority, the most advanced log among them adopted, an epoch-start entry.
public sealed partial class ReplicaCore
{
    private readonly Dictionary<string, Promise> _promises = new(StringComparer.Ordinal);
    private string? _donor;
    private long _lastAsked;
    private bool _refused;
    private bool _awaitingGrant;

    /// <summary>
    /// This member was chosen to lead (sharding started the shard here): it starts a view change for an epoch
    /// above every one it has seen. It serves once <see cref="IsServing"/>.
    /// </summary>
    public void StartViewChange(long nowMs)
    {
        if (nowMs > _now) _now = nowMs;
        ClearPrimary();
        ClearCandidate();
        _epoch = Epoch.None;
        SetRole(ReplicaRole.Candidate);
        // Still granting the old primary a lease: wait it out (its appends go unanswered meanwhile), then begin.
        if (IsGranting) _awaitingGrant = true;
        else BeginCandidacy();
    }

    private void BeginCandidacy()
    {
        ClearCandidate();
        _epoch = new Epoch(_highestSeen.Counter + 1, _self);
        PromiseEpoch(_epoch);
        // A member that lost its copy does not count itself: its majority is of the others.
        if (!IsRejoining) _promises[_self] = new Promise(_self, _self, _epoch, _log.LastEpoch, _log.LastSequence, _commit);
        AskForPromises();
        Conclude();
    }

    /// <summary>This member is no longer to lead (sharding moved the shard away): it stops leading and follows.</summary>
    public void StandDown()
    {
        if (Role != ReplicaRole.Follower) BecomeFollower();
    }

    private void AskForPromises()
    {
        _lastAsked = _now;
        // After our own promise is durable: it counts toward the majority.
        foreach (var member in Configuration.Members)
            if (member != _self && !_promises.ContainsKey(member)) _out.SendAfterPersist(new Prepare(_self, member, _epoch));
    }

    private void RetryViewChange()
    {
        if (_awaitingGrant)
        {
            if (!IsGranting) BeginCandidacy();
            return;
        }

        if (_now - _lastAsked < _options.RetryMs) return;
        if (_refused) BeginCandidacy();
        else if (_donor is null) AskForPromises();
        else
        {
            _lastAsked = _now;
            _out.Send(new Fetch(_self, _donor, _epoch, _commit));
        }
    }

    private void OnPromise(Promise promise)
    {
        if (Role != ReplicaRole.Candidate || promise.Epoch != _epoch || !Configuration.Contains(promise.From)) return;
        _promises[promise.From] = promise;
        // Its commit position is as good as ours to know: entries up to it are the same everywhere.
        if (promise.Commit > _commit && promise.Commit <= _log.LastSequence && promise.LastEpoch == _log.LastEpoch && promise.LastSequence == _log.LastSequence)
            SetCommit(promise.Commit);
        Conclude();
    }

    private void Conclude()
    {
        if (_donor is not null) return;
        var configuration = Configuration;
        var counted = _promises.Values.Where(p => configuration.Contains(p.From)).ToList();
        if (counted.Count < configuration.Majority) return;
        var best = counted.OrderByDescending(p => p.LastEpoch).ThenByDescending(p => p.LastSequence).First();
        if (best.LastEpoch == _log.LastEpoch && best.LastSequence == _log.LastSequence)
        {
            BecomePrimary();
            return;
        }

        // Behind: take the entries after our commit position from the member whose log is the most advanced.
        _donor = best.From;
        _lastAsked = _now;
        _out.Send(new Fetch(_self, _donor, _epoch, _commit));
    }

    private void OnFetched(Fetched fetched)
    {
        if (Role != ReplicaRole.Candidate || fetched.Epoch != _epoch || fetched.From != _donor || fetched.After != _commit) return;
        if (fetched.Image is { } image)
        {
            if (image.Base.Sequence < fetched.After) return;
            Install(image);
        }
        else TruncateAfter(fetched.After);
        foreach (var entry in fetched.Entries) AddEntry(entry);
        BecomePrimary();
    }

    private void ClearCandidate()
    {
        _promises.Clear();
        _donor = null;
        _refused = false;
        _awaitingGrant = false;
    }
}
