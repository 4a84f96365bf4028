namespace AegisKV.Replication;

// The primary: appends, replicates, and commits once enough members hold an entry of its epoch durably.
public sealed partial class ReplicaCore
{
    private readonly Dictionary<string, long> _match = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _next = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _lastSent = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _leaseFrom = new(StringComparer.Ordinal);
    private readonly HashSet<string> _full = new(StringComparer.Ordinal);
    private long _epochStart = long.MaxValue;

    /// <summary>
    /// True while a member of the group said in its last answer that its node is over its memory limit: it cannot
    /// refuse what it is sent, so the primary refuses writes that need memory for it.
    /// </summary>
    public bool AnyMemberFull => _full.Count > 0;

    /// <summary>
    /// Appends <paramref name="payload"/> as the next entry and returns its sequence; it is committed once
    /// <see cref="Commit"/> reaches it. Returns 0 when this member is not a serving primary.
    /// </summary>
    public long Propose(ReadOnlyMemory<byte> payload)
    {
        if (!IsServing) return 0;
        var entry = new LogEntry(_epoch.Counter, _log.LastSequence + 1, payload);
        AddEntry(entry);
        // Followers up to date get it at once; the others get it with what they lack at the next heartbeat.
        foreach (var member in Configuration.Members)
            if (member != _self && _next.GetValueOrDefault(member) == entry.Sequence) SendAppend(member);
        return entry.Sequence;
    }

    /// <summary>
    /// Appends a change of the group's members — one added or one removed, this member staying — and returns its
    /// sequence; it is in effect at once and done once committed. Returns 0 when this member is not a serving
    /// primary, the previous change is not committed yet, or the change is not one step.
    /// </summary>
    public long ProposeConfiguration(GroupConfiguration next)
    {
        var current = Configuration;
        if (!IsServing || _log.ConfigurationSequence > _commit || !current.IsOneStepTo(next) || !next.Contains(_self) || LeavesTooFewCopies(next)) return 0;
        var entry = new LogEntry(_epoch.Counter, _log.LastSequence + 1, ReadOnlyMemory<byte>.Empty, EntryKind.Configuration, next);
        AddEntry(entry);
        foreach (var member in current.Members.Where(m => !next.Contains(m)))
        {
            _rejoinAt.Remove(member);
            _full.Remove(member);
            _match.Remove(member);
            _next.Remove(member);
            _lastSent.Remove(member);
            _leaseFrom.Remove(member);
        }

        // A new member catches up from wherever its log matches ours.
        foreach (var member in next.Members.Where(m => m != _self && !current.Contains(m)))
        {
            _match[member] = 0;
            _next[member] = entry.Sequence;
        }

        foreach (var member in next.Members)
            if (member != _self) SendAppend(member);
        AdvanceCommit();
        return entry.Sequence;
    }

    private void BecomePrimary()
    {
        _donor = null;
        _promises.Clear();
        // The adopted log may show that this member has left the group: it cannot lead it.
        if (!Configuration.Contains(_self))
        {
            BecomeFollower();
            return;
        }

        SetRole(ReplicaRole.Primary);
        // Leading with the most advanced log of a majority of the others, it holds everything committed once that is durable.
        if (IsRejoining)
        {
            _rejoinTarget = _log.LastSequence;
            MaybeRejoin();
        }

        var start = new LogEntry(_epoch.Counter, _log.LastSequence + 1, ReadOnlyMemory<byte>.Empty, EntryKind.EpochStart, Configuration);
        AddEntry(start);
        _epochStart = start.Sequence;
        foreach (var member in Configuration.Members)
        {
            if (member == _self) continue;
            _match[member] = 0;
            _next[member] = start.Sequence;
            SendAppend(member);
        }
    }

    private void ClearPrimary()
    {
        _rejoinAt.Clear();
        _leaseFrom.Clear();
        _full.Clear();
        _match.Clear();
        _next.Clear();
        _lastSent.Clear();
        _epochStart = long.MaxValue;
        ClearSnapshots();
    }

    private void Heartbeat()
    {
        foreach (var member in Configuration.Members)
            if (member != _self && _now - _lastSent.GetValueOrDefault(member, long.MinValue / 2) >= _options.HeartbeatMs) SendAppend(member);
    }

    // Everything from the follower's next entry on (a bounded batch), after the entry before it.
    private void SendAppend(string member)
    {
        var next = _next.GetValueOrDefault(member, _log.LastSequence + 1);
        var previous = next - 1;
        if (previous < _log.BaseSequence)
        {
            // Compacted here: the follower needs a snapshot first.
            _lastSent[member] = _now;
            WantSnapshot(member);
            return;
        }

        var entries = _log.After(previous, _options.MaxEntriesPerAppend);
        _lastSent[member] = _now;
        _next[member] = previous + entries.Count + 1;
        _out.Send(new Append(_self, member, _epoch, _log.EpochAt(previous)!.Value, previous, entries, _commit, _now, _rejoinAt.GetValueOrDefault(member)));
    }

    private void OnAppendReply(AppendReply reply)
    {
        if (Role != ReplicaRole.Primary || reply.Epoch != _epoch || !_match.ContainsKey(reply.From)) return;
        if (reply.SentAt > _leaseFrom.GetValueOrDefault(reply.From, long.MinValue)) _leaseFrom[reply.From] = reply.SentAt;
        if (reply.Full) _full.Add(reply.From);
        else _full.Remove(reply.From);
        if (reply.Rejoining) OnRejoiningReply(reply);
        else _rejoinAt.Remove(reply.From);
        if (reply.Success)
        {
            if (reply.Match > _match[reply.From]) _match[reply.From] = reply.Match;
            if (_next[reply.From] <= reply.Match) _next[reply.From] = reply.Match + 1;
            AdvanceCommit();
            return;
        }

        // Its log does not hold our entry before what we sent: resend from where it says it matches.
        _next[reply.From] = Math.Min(Math.Max(_match[reply.From], reply.Match), _log.LastSequence) + 1;
        SendAppend(reply.From);
    }

    private void AdvanceCommit()
    {
        var configuration = Configuration;
        var members = configuration.Members;
        Span<long> positions = members.Count <= 16 ? stackalloc long[members.Count] : new long[members.Count];
        for (var i = 0; i < members.Count; i++)
            positions[i] = members[i] == _self ? _durable : _match.GetValueOrDefault(members[i]);
        positions.Sort();
        // The position that the required number of members has reached.
        var candidate = positions[members.Count - _options.WriteQuorum.Required(configuration, _initial)];
        // The epoch's start needs only a majority, as the view change did: with a write quorum above a majority and a
        // member down, the primary then serves reads (and answers writes that they lack replicas) instead of nothing.
        if (_commit < _epochStart && positions[members.Count - configuration.Majority] >= _epochStart) candidate = Math.Max(candidate, _epochStart);
        // Only an entry of our own epoch commits by counting (with everything before it).
        if (candidate > _commit && _log.EpochAt(candidate) == _epoch.Counter) SetCommit(candidate);
    }
}
