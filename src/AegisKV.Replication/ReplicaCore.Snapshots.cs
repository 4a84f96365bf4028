namespace AegisKV.Replication;

// Snapshots: a member whose next entries another has compacted gets that member's state through a committed
// entry instead, and replaces its log by it. The core only asks for one; the shell takes it and hands it over.
public sealed partial class ReplicaCore
{
    private readonly Dictionary<string, long> _snapshotAskedAt = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Fetch> _fetchesWaiting = new(StringComparer.Ordinal);

    /// <summary>
    /// Sends <paramref name="member"/>, which asked through <see cref="Ready.SnapshotsWanted"/>, the shell's snapshot
    /// through <paramref name="sequence"/> (committed, and not before the log's base). False when it is no longer
    /// wanted (the role changed, or the member left).
    /// </summary>
    public bool SendSnapshot(string member, long sequence, ReadOnlyMemory<byte> payload)
    {
        if (sequence < _log.BaseSequence || sequence > _commit)
            throw new ArgumentOutOfRangeException(nameof(sequence), $"{_self} holds no committed snapshot through {sequence} (base {_log.BaseSequence}, commit {_commit})");
        _snapshotAskedAt.Remove(member);
        var image = new SnapshotImage(new SnapshotBase(sequence, _log.EpochAt(sequence)!.Value, _log.ConfigurationAt(sequence)), payload);
        if (Role == ReplicaRole.Primary && _match.ContainsKey(member))
        {
            _out.Send(new InstallSnapshot(_self, member, _epoch, image, _commit, _now));
            _next[member] = sequence + 1;
            _lastSent[member] = _now;
            return true;
        }

        // A candidate behind asked for entries this member compacted: the snapshot and what follows it.
        if (_fetchesWaiting.Remove(member, out var fetch) && fetch.Epoch == _promised && sequence >= fetch.After)
        {
            _out.SendAfterPersist(new Fetched(_self, member, fetch.Epoch, fetch.After, _log.After(sequence), image));
            return true;
        }

        return false;
    }

    /// <summary>
    /// The shell holds a snapshot of its state through <paramref name="sequence"/>, taken from committed entries of this
    /// log: those entries are committed. A member restarted with a snapshot past its log's base (kept behind the one
    /// before) knows so without hearing from a primary, and can hand that snapshot to a candidate that needs it.
    /// </summary>
    public void SnapshotHeld(long sequence) => SetCommit(Math.Min(sequence, _log.LastSequence));

    // Asked once per retry period: the shell may take a while to write a snapshot.
    private void WantSnapshot(string member)
    {
        if (_snapshotAskedAt.TryGetValue(member, out var at) && _now - at < _options.RetryMs * 10) return;
        _snapshotAskedAt[member] = _now;
        _out.WantSnapshot(member);
    }

    private void WantSnapshotForFetch(Fetch fetch)
    {
        _fetchesWaiting[fetch.From] = fetch;
        WantSnapshot(fetch.From);
    }

    private void OnInstallSnapshot(InstallSnapshot install)
    {
        if (Refuses(install)) return;

        PromiseEpoch(install.Epoch);
        if (Role != ReplicaRole.Follower) return;
        _grantedUntil = _now + _options.LeaseMs;
        var image = install.Image;
        // Holding that entry (or a snapshot past it), this log matches the primary's through it already.
        if (image.Base.Sequence > _log.BaseSequence && _log.EpochAt(image.Base.Sequence) != image.Base.Epoch) Install(image);
        else SetCommit(Math.Min(install.Commit, image.Base.Sequence));
        _out.SendAfterPersist(new AppendReply(_self, install.From, install.Epoch, true, image.Base.Sequence, install.SentAt, Full, IsRejoining));
    }

    private void ClearSnapshots()
    {
        _snapshotAskedAt.Clear();
        _fetchesWaiting.Clear();
    }
}
