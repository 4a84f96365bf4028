namespace AegisKV.Replication;

/// <summary>Settings of a replica core.</summary>
/// <param name="WriteQuorum">Members (the primary included) that must hold an entry durably before it is committed.</param>
/// <param name="HeartbeatMs">How often the primary sends each follower what it lacks, or a heartbeat.</param>
/// <param name="RetryMs">How often a candidate asks again those that have not answered.</param>
/// <param name="MaxEntriesPerAppend">Most entries in one append.</param>
/// <param name="LeaseMs">
/// How long a follower that accepted an append from the primary promises no other epoch; the primary answers
/// reads from memory while a majority has so promised (ADR 0012).
/// </param>
/// <param name="LeaseMarginMs">What the primary takes off its lease for clocks that run at different rates.</param>
/// <param name="InSyncLag">
/// Entries a follower may lack and still be in sync (<see cref="ReplicaCore.InSyncMembers"/>): it can take over
/// with a catch-up of one or two appends.
/// </param>
public sealed record ReplicaOptions(WriteQuorum WriteQuorum, long HeartbeatMs = 50, long RetryMs = 200, int MaxEntriesPerAppend = 64, long LeaseMs = 2000,
    long LeaseMarginMs = 200, long InSyncLag = 1000);

/// <summary>
/// The replication protocol of one shard on one member, as a state machine without I/O, clock or actors
/// (ADR 0012): it takes messages (<see cref="Step"/>), time (<see cref="Tick"/>), proposals
/// (<see cref="Propose"/>) and acknowledgements that its writes are durable (<see cref="Persisted"/>), and
/// says what to write and send in <see cref="TakeReady"/>. Not thread-safe: one caller at a time.
/// </summary>
public sealed partial class ReplicaCore
{
    private readonly string _self;
    private readonly ReplicaOptions _options;
    private readonly ReplicaLog _log;
    private readonly GroupConfiguration _initial;
    private readonly Outbox _out = new();
    private Epoch _promised;
    private Epoch _highestSeen;
    private Epoch _epoch = Epoch.None;
    private long _commit;
    private long _durable;
    private long _now;

    /// <summary>
    /// A member (re)started at <paramref name="nowMs"/> from its durable state: <paramref name="log"/> (durable
    /// entries only) and the epoch it promised last. <paramref name="initial"/> is the group of a shard whose log
    /// has no configuration yet. <paramref name="grantedUntilMs"/>, when known, is when the lease this member last granted
    /// runs out (handed over from the replica that ran before it in the same process); unknown, it keeps any lease it
    /// may have granted before a crash: it promises no other epoch
    /// for a lease time. <paramref name="rejoining"/>: the member lost its copy and has not caught up since (ADR 0016).
    /// </summary>
    public ReplicaCore(string self, ReplicaOptions options, GroupConfiguration initial, ReplicaLog log, Epoch promised, long nowMs, long? grantedUntilMs = null,
        bool rejoining = false)
    {
        _self = self;
        _options = options;
        _initial = initial;
        _log = log;
        _promised = promised;
        _highestSeen = promised.Counter >= log.LastEpoch ? promised : new Epoch(log.LastEpoch, "");
        _durable = log.LastSequence;
        // What a snapshot holds is committed.
        _commit = log.BaseSequence;
        _now = nowMs;
        // A member that never promised an epoch never accepted an append, so it granted no lease.
        _grantedUntil = promised == Epoch.None ? long.MinValue : grantedUntilMs ?? nowMs + options.LeaseMs;
        IsRejoining = rejoining;
    }

    /// <summary>This member's node is over its memory limit: its answers to the primary say so (set by the shell).</summary>
    public bool Full { get; set; }

    /// <summary>This member's id.</summary>
    public string Self => _self;

    /// <summary>Its role now.</summary>
    public ReplicaRole Role { get; private set; } = ReplicaRole.Follower;

    /// <summary>The epoch it leads (candidate or primary); <see cref="Epoch.None"/> otherwise.</summary>
    public Epoch Epoch => _epoch;

    /// <summary>The highest epoch it promised.</summary>
    public Epoch Promised => _promised;

    /// <summary>The log as this member holds it (entries not yet durable included).</summary>
    public ReplicaLog Log => _log;

    /// <summary>How far it knows the log to be committed.</summary>
    public long Commit => _commit;

    /// <summary>True when it is the primary and its epoch-start entry is committed: it may answer clients.</summary>
    public bool IsServing => Role == ReplicaRole.Primary && _commit >= _epochStart;

    /// <summary>The group whose quorums count now: the newest configuration in the log, or the initial one.</summary>
    public GroupConfiguration Configuration => _log.Configuration ?? _initial;

    /// <summary>Everything to write and send since the last call.</summary>
    public Ready TakeReady() => _out.Take(_log.LastSequence);

    /// <summary>
    /// The shell made <paramref name="ready"/>'s writes durable (and, being in order, every earlier ready's).
    /// The primary counts its own copy through there.
    /// </summary>
    public void Persisted(Ready ready)
    {
        _durable = Math.Min(ready.LogEnd, _out.TruncationFloorAfter(ready.Id));
        if (Role == ReplicaRole.Primary) AdvanceCommit();
        MaybeRejoin();
    }

    /// <summary>Lets time pass: the primary sends heartbeats and what followers lack, a candidate asks again.</summary>
    public void Tick(long nowMs)
    {
        _now = nowMs;
        if (Role == ReplicaRole.Primary) Heartbeat();
        else if (Role == ReplicaRole.Candidate) RetryViewChange();
    }

    /// <summary>Handles a message from another member, received at <paramref name="nowMs"/>.</summary>
    public void Step(ReplicaMessage message, long nowMs)
    {
        if (message.To != _self) return;
        if (nowMs > _now) _now = nowMs;
        switch (message)
        {
            case Prepare prepare:
                OnPrepare(prepare);
                break;
            case Promise promise:
                OnPromise(promise);
                break;
            case Refusal refusal:
                OnRefusal(refusal);
                break;
            case Append append:
                OnAppend(append);
                break;
            case AppendReply reply:
                OnAppendReply(reply);
                break;
            case Fetch fetch:
                OnFetch(fetch);
                break;
            case Fetched fetched:
                OnFetched(fetched);
                break;
            case InstallSnapshot install:
                OnInstallSnapshot(install);
                break;
            case Abstain abstain:
                OnAbstain(abstain);
                break;
        }
    }

    /// <summary>
    /// The shell holds a snapshot through <paramref name="through"/> (at most <see cref="Commit"/>): the log forgets
    /// the entries it holds. A member that needs them later gets a snapshot instead (see <see cref="Ready.SnapshotsWanted"/>).
    /// </summary>
    public void Compact(long through)
    {
        if (through > _commit) throw new ArgumentOutOfRangeException(nameof(through), $"{_self} cannot compact through {through}: only {_commit} is committed");
        _log.Compact(through);
    }

    /// <summary>
    /// Where every member the primary knows of holds the log through (its own durable copy included): compacting no
    /// further keeps a lagging follower on appends. A member other than the primary answers its commit position.
    /// </summary>
    public long LowestMatch
    {
        get
        {
            if (Role != ReplicaRole.Primary) return _commit;
            var lowest = _durable;
            foreach (var member in Configuration.Members)
                if (member != _self) lowest = Math.Min(lowest, _match.GetValueOrDefault(member));
            return lowest;
        }
    }

    /// <summary>
    /// While this member leads: how far <paramref name="member"/> is known to hold the log (this member: its durable
    /// copy); 0 for a member it has not heard from, and on a member that does not lead.
    /// </summary>
    public long MatchOf(string member) => Role != ReplicaRole.Primary ? 0 : member == _self ? _durable : _match.GetValueOrDefault(member);

    // A member that hears of a later epoch than the one it leads stops leading it.
    private void See(Epoch epoch)
    {
        if (epoch > _highestSeen) _highestSeen = epoch;
        if (Role != ReplicaRole.Follower && !_awaitingGrant && epoch > _epoch) BecomeFollower();
    }

    private void PromiseEpoch(Epoch epoch)
    {
        See(epoch);
        if (epoch == _promised || !_promised.Admits(epoch)) return;
        _promised = epoch;
        _out.Promise(epoch);
    }

    private void BecomeFollower()
    {
        _epoch = Epoch.None;
        ClearPrimary();
        ClearCandidate();
        SetRole(ReplicaRole.Follower);
    }

    private void SetRole(ReplicaRole role)
    {
        if (Role == role) return;
        Role = role;
        _out.RoleChanged(role);
    }

    private void SetCommit(long commit)
    {
        if (commit <= _commit) return;
        _commit = commit;
        _out.CommitAdvanced(commit);
    }

    private void TruncateAfter(long sequence)
    {
        if (sequence >= _log.LastSequence) return;
        if (sequence < _commit)
        {
            // With a write quorum below a majority, a view change may lose committed entries (the documented risk
            // of such a quorum); with a majority it cannot, and a primary asking for it is a broken invariant.
            if (_options.WriteQuorum.IsMajority(_initial))
                throw new InvalidOperationException($"{_self} would truncate committed entries: after {sequence}, commit {_commit}");
            _commit = sequence;
        }

        _log.TruncateAfter(sequence);
        _out.Truncate(sequence);
        _durable = Math.Min(_durable, sequence);
    }

    // The whole log replaced by a snapshot through a committed entry.
    private void Install(SnapshotImage image)
    {
        _log.Reset(image.Base);
        _out.Install(image);
        _durable = 0;
        SetCommit(image.Base.Sequence);
    }

    private void AddEntry(LogEntry entry)
    {
        _log.Add(entry);
        _out.Add(entry);
    }
}
