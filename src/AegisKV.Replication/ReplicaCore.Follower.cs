namespace AegisKV.Replication;

// A member answering a candidate or a primary: promises, appends, and entries for a candidate that is behind.
public sealed partial class ReplicaCore
{
    private void OnPrepare(Prepare prepare)
    {
        if (Refuses(prepare) || Abstains(prepare)) return;

        // Still within the lease granted to the primary: no answer yet (the candidate asks again).
        if (prepare.Epoch != _promised && IsGranting) return;

        PromiseEpoch(prepare.Epoch);
        // Sent once the promise is durable, and with it the log it describes.
        _out.SendAfterPersist(new Promise(_self, prepare.From, prepare.Epoch, _log.LastEpoch, _log.LastSequence, _commit));
    }

    private void OnAppend(Append append)
    {
        if (Refuses(append)) return;

        // An append of a later epoch than promised is that epoch's primary at work: follow it.
        PromiseEpoch(append.Epoch);
        if (Role != ReplicaRole.Follower) return;
        // Whatever the append holds, it comes from the primary: no other epoch is promised for a while.
        _grantedUntil = _now + _options.LeaseMs;
        if (_log.EpochAt(append.PreviousSequence) != append.PreviousEpoch)
        {
            // Not holding the previous entry: say where to resume, past the whole epoch that conflicts.
            var hint = append.PreviousSequence > _log.LastSequence ? _log.LastSequence
                : append.PreviousSequence <= _log.BaseSequence ? _log.BaseSequence : _log.StartOfEpochAt(append.PreviousSequence);
            _out.Send(new AppendReply(_self, append.From, append.Epoch, false, hint, append.SentAt, Full, IsRejoining));
            return;
        }

        foreach (var entry in append.Entries)
        {
            // At or before the base: committed, so the same entry the snapshot holds.
            if (entry.Sequence <= _log.BaseSequence) continue;
            if (entry.Sequence <= _log.LastSequence)
            {
                if (_log.EpochAt(entry.Sequence) == entry.Epoch) continue;
                TruncateAfter(entry.Sequence - 1);
            }

            AddEntry(entry);
        }

        // Only what this append vouched for: entries past it may still be an old primary's.
        var match = append.PreviousSequence + append.Entries.Count;
        SetCommit(Math.Min(append.Commit, match));
        _out.SendAfterPersist(new AppendReply(_self, append.From, append.Epoch, true, match, append.SentAt, Full, IsRejoining));
        NoteRejoinTarget(append.RejoinAt, match);
    }

    private void OnFetch(Fetch fetch)
    {
        if (Refuses(fetch) || Abstains(fetch)) return;

        if (fetch.Epoch != _promised && IsGranting) return;
        PromiseEpoch(fetch.Epoch);
        if (fetch.After < _log.BaseSequence) WantSnapshotForFetch(fetch);
        else _out.SendAfterPersist(new Fetched(_self, fetch.From, fetch.Epoch, fetch.After, _log.After(fetch.After)));
    }

    // Refused: a member promised an epoch whose counter is not below ours. A primary is deposed; a candidate
    // asks again, at the next retry, for an epoch above it.
    // A request of an epoch below the one promised is answered with that promise and goes no further.
    private bool Refuses(ReplicaMessage request)
    {
        if (_promised.Admits(request.Epoch)) return false;
        _out.Send(new Refusal(_self, request.From, request.Epoch, _promised));
        return true;
    }

    private void OnRefusal(Refusal refusal)
    {
        if (refusal.Epoch != _epoch || refusal.Promised == _epoch) return;
        if (refusal.Promised > _highestSeen) _highestSeen = refusal.Promised;
        if (Role == ReplicaRole.Primary) BecomeFollower();
        else if (Role == ReplicaRole.Candidate) _refused = true;
    }
}
