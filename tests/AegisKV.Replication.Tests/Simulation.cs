using System.Buffers.Binary;
using AegisKV.Replication;

namespace AegisKV.Replication.Tests;

/// <summary>
/// A replica group driven by one seeded random source: messages are delayed, reordered, dropped and duplicated,
/// writes reach disk late, members are cut off from the others for a while, crash (losing what was not on disk)
/// and restart, and are told to lead at random, several at once at times. After every step the invariants are checked: no epoch has two
/// primaries, and no committed entry is ever lost or changed. The same seed replays the same run exactly.
/// </summary>
internal sealed class Simulation
{
    private readonly Random _random;
    private readonly List<SimulatedReplica> _replicas;
    private readonly List<(long DeliverAt, ReplicaMessage Message)> _network = [];
    private readonly Dictionary<long, LogEntry> _committed = [];
    private readonly Dictionary<long, string> _primaries = [];
    private readonly List<string> _trace = [];
    private readonly Dictionary<string, long> _cutOffUntil = [];
    private readonly List<(long At, SimulatedReplica Replica)> _failovers = [];
    private readonly int _groupSize;
    private int _proposals;
    private long _now;

    public Simulation(int seed, int members, int writeQuorum)
    {
        _random = new Random(seed);
        Seed = seed;
        var group = new GroupConfiguration([.. Enumerable.Range(1, members).Select(i => "m" + i)]);
        var options = new ReplicaOptions(WriteQuorum.Of(writeQuorum), HeartbeatMs: 30, RetryMs: 100, MaxEntriesPerAppend: 8, LeaseMs: 300, LeaseMarginMs: 0);
        // One spare beyond the group, for membership changes to add.
        _replicas = [.. Enumerable.Range(1, members + 1).Select(i => new SimulatedReplica("m" + i, options, group))];
        _groupSize = members;
    }

    public int Seed { get; }

    public double DropRate { get; set; } = 0.1;

    public double DuplicateRate { get; set; } = 0.05;

    public double CrashRate { get; set; } = 0.002;

    /// <summary>Of the crashes, the share that also lose the member's copy (its log and snapshot; ADR 0016).</summary>
    public double DiskLossShare { get; set; } = 0.25;

    /// <summary>False only to show what the rejoining mark prevents: a member that lost its copy then votes at once.</summary>
    public bool MarkRejoining { get; set; } = true;

    /// <summary>Copies lost with a crash.</summary>
    public int DisksLost => _replicas.Sum(r => r.DisksLost);

    /// <summary>Members that took part again after they lost their copy.</summary>
    public int Rejoins => _replicas.Sum(r => r.Rejoins);

    /// <summary>Entries known committed so far.</summary>
    public int Committed => _committed.Count;

    /// <summary>Steps at which some primary held a read lease.</summary>
    public int LeasedSteps { get; private set; }

    /// <summary>Membership changes committed.</summary>
    public int MembershipChanges { get; private set; }

    /// <summary>Snapshots sent from one member to another.</summary>
    public int SnapshotsSent => _replicas.Sum(r => r.SnapshotsSent);

    /// <summary>Local snapshots written (and logs compacted behind them).</summary>
    public int SnapshotsTaken { get; private set; }

    /// <summary>Epochs that had a primary.</summary>
    public int Epochs => _primaries.Count;

    /// <summary>The last steps taken, for a failure message.</summary>
    public string Trace => string.Join("\n", _trace.TakeLast(40));

    /// <summary>Runs <paramref name="steps"/> random steps under faults.</summary>
    public void Run(int steps)
    {
        for (var i = 0; i < steps; i++) StepOnce();
    }

    /// <summary>
    /// Heals everything (no drops, everyone up), has one member lead, and runs until it serves and has committed
    /// a few new entries and every member holds the committed log: the protocol makes progress once faults stop.
    /// </summary>
    public void Settle(int maxSteps = 20_000)
    {
        (DropRate, DuplicateRate, CrashRate) = (0, 0, 0);
        _cutOffUntil.Clear();
        _failovers.Clear();
        foreach (var replica in _replicas.Where(r => !r.Up)) Restart(replica);
        var leader = MemberOf(NewestCommittedConfiguration());
        // As sharding does: one member is where the shard runs; the others stop leading.
        foreach (var other in _replicas.Where(r => r != leader))
        {
            other.Core.StandDown();
            Drain(other);
        }

        leader.Core.StartViewChange(_now);
        Drain(leader);
        var target = -1L;
        for (var i = 0; i < maxSteps; i++)
        {
            StepOnce(faults: false);
            if (!leader.Core.IsServing)
            {
                if (leader.Core.Role != ReplicaRole.Primary && leader.Core.Role != ReplicaRole.Candidate)
                {
                    // Its view change showed it is no longer a member: the cluster picks one that is.
                    if (!leader.Core.Configuration.Contains(leader.Id)) leader = MemberOf(leader.Core.Configuration);
                    leader.Core.StartViewChange(_now);
                    Drain(leader);
                }

                continue;
            }

            if (target < 0)
            {
                for (var p = 0; p < 3; p++) Propose(leader);
                target = leader.Core.Log.LastSequence;
            }

            var group = leader.Core.Configuration.Members.Select(m => _replicas.First(r => r.Id == m));
            if (leader.Core.Commit >= target && group.All(r => r.Core.Log.LastSequence >= target && r.Core.Commit >= target)) return;
        }

        throw new InvalidOperationException($"seed {Seed}: no progress after healing (leader {leader.Id} {leader.Core.Role}, commit {leader.Core.Commit}, target {target})\n{Trace}");
    }

    private void StepOnce(bool faults = true)
    {
        var roll = _random.NextDouble();
        var replica = _replicas[_random.Next(_replicas.Count)];
        if (roll < 0.40) Deliver();
        else if (roll < 0.60) Persist(replica);
        else if (roll < 0.75) Tick();
        else if (roll < 0.88) { if (replica.Up && replica.Core.IsServing) Propose(replica); }
        else if (roll < 0.92)
        {
            // A snapshot, compacting the log behind it: at times as far as the member applied, at times no further
            // than its followers reach (as a primary holds back for them).
            if (replica.Up && replica.TakeSnapshot(holdBack: _random.Next(2) == 0))
            {
                SnapshotsTaken++;
                Note($"{replica.Id} compacts through {replica.Core.Log.BaseSequence}");
            }
        }
        else if (roll < 0.93) { if (replica.Up && replica.Core.IsServing) ChangeMembers(replica); }
        else if (roll < 0.94 && faults)
        {
            if (replica.Up)
            {
                Note($"{replica.Id} leads (view change)");
                replica.Core.StartViewChange(_now);
                Drain(replica);
            }
        }
        else if (roll < 0.95 && faults)
        {
            // A network cut around one member: what it sends and what is sent to it is lost until it heals.
            var until = _now + _random.Next(100, 1500);
            Note($"{replica.Id} cut off until t={until}");
            _cutOffUntil[replica.Id] = until;
            // As the cluster does once it notices: another member is told to lead, soon (sooner than a lease, at times).
            if (replica.Core.Role == ReplicaRole.Primary)
            {
                var next = _replicas[_random.Next(_replicas.Count)];
                if (next != replica) _failovers.Add((_now + _random.Next(0, 400), next));
            }
        }
        else if (faults && _random.NextDouble() < CrashRate * 50)
        {
            if (replica.Up && _random.NextDouble() < DiskLossShare && !_replicas.Any(r => r.Rejoining) && OthersAreAMajority(replica))
            {
                // One copy lost at a time, and only where the others are a majority: a group without a majority of
                // members that hold their copies rightly waits forever.
                Note($"{replica.Id} crashes and loses its copy");
                replica.LoseDisk(MarkRejoining);
                // Its connections die with it: nothing it sent before arrives after what it sends next.
                _network.RemoveAll(m => m.Message.From == replica.Id);
            }
            else if (replica.Up)
            {
                Note($"{replica.Id} crashes ({replica.Unpersisted.Count} readies not on disk)");
                replica.Crash();
            }
            else Restart(replica);
        }

        CheckInvariants();
    }

    private void Restart(SimulatedReplica replica)
    {
        Note($"{replica.Id} restarts");
        replica.Restart(_now);
    }

    private void Tick()
    {
        _now += _random.Next(1, 25);
        foreach (var (at, next) in _failovers.Where(f => f.At <= _now).ToList())
        {
            _failovers.Remove((at, next));
            if (!next.Up) continue;
            Note($"{next.Id} leads (failover)");
            next.Core.StartViewChange(_now);
            Drain(next);
        }

        foreach (var replica in _replicas.Where(r => r.Up))
        {
            replica.Core.Tick(_now);
            Drain(replica);
        }
    }

    // One member more or one fewer (never the primary itself), the group staying within one of its first size.
    private void ChangeMembers(SimulatedReplica primary)
    {
        var current = primary.Core.Configuration.Members;
        var outside = _replicas.Where(r => !current.Contains(r.Id)).ToList();
        var removable = current.Where(m => m != primary.Id).ToList();
        List<string> next = current.Count < _groupSize + 1 && outside.Count > 0 && (current.Count <= _groupSize - 1 || _random.Next(2) == 0)
            ? [.. current, outside[_random.Next(outside.Count)].Id]
            : current.Count > _groupSize - 1 && removable.Count > 0 ? [.. current.Where(m => m != removable[_random.Next(removable.Count)])] : [.. current];
        // Liveness only: a smaller group whose intact copies are not a majority of it could never elect a primary
        // again (two faults in one group); the primary refuses it when it knows, and the cluster does not ask it.
        if (next.Count < current.Count && next.Count(m => !_replicas.First(r => r.Id == m).Rejoining) < new GroupConfiguration(next).Majority) return;
        if (primary.Core.ProposeConfiguration(new GroupConfiguration(next)) == 0) return;
        Note($"{primary.Id} changes the group to {{{string.Join(", ", next)}}}");
        Drain(primary);
    }

    // Of the group as committed and of every group a member holds in its log (a change is in effect before it commits).
    private bool OthersAreAMajority(SimulatedReplica replica)
    {
        foreach (var group in _replicas.Select(r => r.Core.Configuration).Append(NewestCommittedConfiguration()))
            if (group.Contains(replica.Id) && group.Members.Count - 1 < group.Majority) return false;
        return true;
    }

    private GroupConfiguration NewestCommittedConfiguration()
    {
        var newest = _committed.Where(c => c.Value.Configuration is not null).OrderByDescending(c => c.Key).Select(c => c.Value.Configuration).FirstOrDefault();
        return newest ?? new GroupConfiguration([.. _replicas.Take(_groupSize).Select(r => r.Id)]);
    }

    private SimulatedReplica MemberOf(GroupConfiguration configuration)
    {
        var members = _replicas.Where(r => configuration.Contains(r.Id)).ToList();
        return members[_random.Next(members.Count)];
    }

    private void Propose(SimulatedReplica replica)
    {
        var payload = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(payload, ++_proposals);
        if (replica.Core.Propose(payload) > 0) Drain(replica);
    }

    private void Persist(SimulatedReplica replica)
    {
        if (!replica.Up || replica.Unpersisted.Count == 0) return;
        var ready = replica.PersistOldest();
        foreach (var message in ready.AfterPersist) Send(message);
        Drain(replica);
    }

    private void Deliver()
    {
        var due = _network.Where(m => m.DeliverAt <= _now).ToList();
        if (due.Count == 0)
        {
            _now += 5;
            return;
        }

        var pick = due[_random.Next(due.Count)];
        if (_random.NextDouble() >= DuplicateRate) _network.Remove(pick);
        var to = _replicas.First(r => r.Id == pick.Message.To);
        if (!to.Up || IsCutOff(to.Id) || IsCutOff(pick.Message.From)) return;
        to.Core.Step(pick.Message, _now);
        Drain(to);
    }

    private bool IsCutOff(string member) => _cutOffUntil.TryGetValue(member, out var until) && _now < until;

    private void Send(ReplicaMessage message)
    {
        if (_random.NextDouble() < DropRate || IsCutOff(message.From) || IsCutOff(message.To)) return;
        _network.Add((_now + _random.Next(0, 40), message));
    }

    // Takes the core's ready: immediate messages go out, writes wait for the disk (with the messages behind them).
    // Then the member applies what is committed and serves the snapshots asked of it, which may say more.
    private void Drain(SimulatedReplica replica)
    {
        for (;;)
        {
            replica.ApplyAndServeSnapshots();
            CheckApplied(replica);
            var ready = replica.Core.TakeReady();
            if (ready.IsEmpty) return;
            if (ready.Role is { } role) Note($"{replica.Id} is {role} in epoch {replica.Core.Epoch} (promised {replica.Core.Promised})");
            if (ready.Snapshot is { } image) Note($"{replica.Id} installs a snapshot through {image.Base.Sequence}");
            foreach (var message in ready.Immediate) Send(message);
            if (ready.HasWrites || replica.Unpersisted.Count > 0) replica.Unpersisted.Enqueue(ready);
            else foreach (var message in ready.AfterPersist) Send(message);
            if (ready.Commit is not null) RecordCommit(replica);
            replica.WantSnapshots(ready);
        }
    }

    private void RecordCommit(SimulatedReplica replica)
    {
        var log = replica.Core.Log;
        for (var sequence = log.BaseSequence + 1; sequence <= replica.Core.Commit; sequence++) Record(replica, sequence, log[sequence], "holds");
    }

    // What a member applied is committed, in order: its state is the committed log's, snapshots and all.
    private void CheckApplied(SimulatedReplica replica)
    {
        var applied = replica.Applied;
        for (var i = replica.CheckedApplied; i < applied.Count; i++) Record(replica, i + 1, applied[i], "applied");
        replica.CheckedApplied = applied.Count;
    }

    private void Record(SimulatedReplica replica, long sequence, LogEntry entry, string how)
    {
        if (_committed.TryGetValue(sequence, out var known))
        {
            if (known.Epoch != entry.Epoch || known.Kind != entry.Kind || !known.Payload.Span.SequenceEqual(entry.Payload.Span))
                Fail($"committed entry {sequence} changed: it was {Describe(known)}, {replica.Id} {how} {Describe(entry)} as committed");
        }
        else
        {
            _committed[sequence] = entry;
            if (entry.Kind == EntryKind.Configuration) MembershipChanges++;
        }
    }

    private void CheckInvariants()
    {
        foreach (var replica in _replicas.Where(r => r.Up && r.Core.Role == ReplicaRole.Primary))
        {
            var epoch = replica.Core.Epoch;
            if (epoch.Member != replica.Id) Fail($"{replica.Id} leads epoch {epoch}, which is {epoch.Member}'s");
            // Log entries name their epoch by its counter alone: one counter, one primary.
            if (_primaries.TryGetValue(epoch.Counter, out var other) && other != replica.Id) Fail($"epoch counter {epoch.Counter} has two primaries: {other} and {replica.Id}");
            _primaries[epoch.Counter] = replica.Id;
        }

        // A primary that may answer reads from memory has applied everything committed anywhere, unchanged: no
        // one else committed since. (A deposed primary that has not heard of it yet may still think it serves,
        // but it can neither commit nor, its lease gone, answer a read.)
        var lastCommitted = _committed.Count == 0 ? 0 : _committed.Keys.Max();
        foreach (var replica in _replicas.Where(r => r.Up && r.Core.HasReadLease(_now)))
        {
            LeasedSteps++;
            if (replica.Core.Commit < lastCommitted)
                Fail($"{replica.Id} holds a read lease in epoch {replica.Core.Epoch} at commit {replica.Core.Commit}, but entry {lastCommitted} was committed elsewhere");
            foreach (var (sequence, entry) in _committed)
            {
                // Compacted entries it holds as its state, checked as it applied them.
                if (sequence <= replica.Core.Log.BaseSequence) continue;
                if (sequence > replica.Core.Log.LastSequence || replica.Core.Log[sequence].Epoch != entry.Epoch
                    || !replica.Core.Log[sequence].Payload.Span.SequenceEqual(entry.Payload.Span))
                    Fail($"{replica.Id} reads in epoch {replica.Core.Epoch} without committed entry {sequence} {Describe(entry)}");
            }
        }
    }

    private void Note(string line) => _trace.Add($"t={_now} {line}");

    private void Fail(string why) => throw new InvalidOperationException($"seed {Seed}: {why}\n{Trace}");

    private static string Describe(LogEntry entry) =>
        $"({entry.Epoch}, {entry.Sequence}, {(entry.Kind != EntryKind.Data ? entry.Kind.ToString() : BinaryPrimitives.ReadInt32LittleEndian(entry.Payload.Span).ToString(System.Globalization.CultureInfo.InvariantCulture))})";
}
