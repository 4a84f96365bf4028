using Akka.Actor;

namespace AegisKV.Cluster.Custody;

/// <summary>
/// One write of one custody entry, as a single-decree Paxos round: a majority of the last known members promise a
/// ballot above any they saw and report what they accepted; the newest accepted value is the entry's current value;
/// <c>decide</c> turns it into the value to write (null: nothing to write); a majority accepts it. A refusal (a higher ballot elsewhere)
/// starts over with a higher ballot, a few times. The round stops itself and completes its task either way.
/// </summary>
public sealed class CustodyRound : ReceiveActor, IWithTimers
{
    private const int MaxAttempts = 8;

    private readonly string _key;
    private readonly string _nodeId;
    private readonly IReadOnlyList<(string NodeId, ActorPath Replica)> _replicas;
    private readonly Func<string?, string?> _decide;
    private readonly TaskCompletionSource<RoundResult> _result;
    private readonly Dictionary<string, Register> _promises = new(StringComparer.Ordinal);
    private readonly HashSet<string> _accepts = new(StringComparer.Ordinal);
    private readonly HashSet<string> _answered = new(StringComparer.Ordinal);
    private Membership _members;
    private long _counter;
    private long _roundId;
    private int _attempt;
    private Ballot _ballot;
    private string? _value;
    private bool _lingering;

    /// <summary>Creates a round; it starts at once.</summary>
    public CustodyRound(string key, string nodeId, IReadOnlyList<(string NodeId, ActorPath Replica)> replicas, Membership members, long counter,
        Func<string?, string?> decide, TaskCompletionSource<RoundResult> result, TimeSpan timeout)
    {
        _key = key;
        _nodeId = nodeId;
        _replicas = replicas;
        _members = members;
        _counter = counter;
        _decide = decide;
        _result = result;
        Receive<Promise>(OnPromise);
        Receive<Accepted>(OnAccepted);
        Receive<Retry>(_ => StartPrepare());
        Receive<Linger>(_ => Finish(true, ""));
        Receive<Expired>(_ => Finish(_lingering, _lingering ? "" : Shortfall()));
        Timers.StartSingleTimer("expired", Expired.Instance, timeout);
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props for a round.</summary>
    public static Props Props(string key, string nodeId, IReadOnlyList<(string NodeId, ActorPath Replica)> replicas, Membership members, long counter,
        Func<string?, string?> decide, TaskCompletionSource<RoundResult> result, TimeSpan timeout) =>
        Akka.Actor.Props.Create(() => new CustodyRound(key, nodeId, replicas, members, counter, decide, result, timeout));

    /// <inheritdoc />
    protected override void PreStart() => StartPrepare();

    /// <inheritdoc />
    protected override void PostStop() => _result.TrySetResult(new RoundResult(false, null, _ballot, "the round was stopped", _members));

    private void StartPrepare()
    {
        _attempt++;
        _roundId = Random.Shared.NextInt64();
        _promises.Clear();
        _accepts.Clear();
        _answered.Clear();
        _ballot = new Ballot(++_counter, _nodeId);
        Send(new Prepare(_roundId, _key, _ballot));
    }

    private void Send(ICustodyMessage message)
    {
        foreach (var (_, replica) in _replicas) Context.ActorSelection(replica).Tell(message, Self);
    }

    private void OnPromise(Promise promise)
    {
        if (promise.RoundId != _roundId || _value is not null || !_answered.Add(promise.NodeId)) return;
        _members = _members.Merge(promise.Members);
        if (promise.Granted) _promises[promise.NodeId] = promise.Register;
        else _counter = Math.Max(_counter, promise.Register.Promised.Counter);
        if (Count(_promises.Keys) >= Needed())
        {
            // The newest value a majority reports is the entry's value: any write a majority accepted is in it.
            Register? newest = null;
            foreach (var register in _promises.Values)
                if (register.Value is not null && (newest is null || register.Accepted > newest.Accepted)) newest = register;
            _value = _decide(newest?.Value);
            if (_value is null)
            {
                Finish(true, "");
                return;
            }

            _answered.Clear();
            Send(new Accept(_roundId, _key, _ballot, _value));
        }
        else if (_answered.Count == _replicas.Count) RetryLater();
    }

    private void OnAccepted(Accepted accepted)
    {
        if (accepted.RoundId != _roundId || _value is null || !_answered.Add(accepted.NodeId)) return;
        _members = _members.Merge(accepted.Members);
        if (accepted.Granted) _accepts.Add(accepted.NodeId);
        else _counter = Math.Max(_counter, accepted.Promised.Counter);
        if (Count(_accepts) >= Needed())
        {
            // Decided. The other replicas get a moment to answer too, so that placement, which reads the local
            // replica of whichever node runs the coordinator, sees the new value at once.
            if (_answered.Count == _replicas.Count) Finish(true, "");
            else if (!_lingering)
            {
                _lingering = true;
                Timers.StartSingleTimer("linger", Linger.Instance, TimeSpan.FromMilliseconds(300));
            }
        }
        else if (_answered.Count == _replicas.Count) RetryLater();
    }

    // Answers count when they come from members; a cluster that never recorded members (it is forming) needs everyone reached.
    private int Count(IEnumerable<string> nodeIds) => _members.Members.IsEmpty ? nodeIds.Count() : nodeIds.Count(_members.Contains);

    private int Needed() => _members.Members.IsEmpty ? _replicas.Count : _members.Majority;

    private void RetryLater()
    {
        _value = null;
        if (_attempt >= MaxAttempts)
        {
            Finish(false, Shortfall());
            return;
        }

        Timers.StartSingleTimer("retry", Retry.Instance, TimeSpan.FromMilliseconds(Random.Shared.Next(10, 50 * _attempt)));
    }

    private string Shortfall()
    {
        var members = _members.Members.IsEmpty ? [.. _replicas.Select(r => r.NodeId)] : _members.Members;
        var reached = _replicas.Where(r => members.Contains(r.NodeId)).Select(r => r.NodeId).ToList();
        return $"a majority of the cluster's last known members ({string.Join(", ", members)}) is needed, {Needed()} of {members.Length}; "
               + $"{reached.Count} reachable ({string.Join(", ", reached)})";
    }

    private void Finish(bool ok, string reason)
    {
        _result.TrySetResult(new RoundResult(ok, ok ? _value : null, _ballot, reason, _members));
        Context.Stop(Self);
    }

    private sealed class Retry
    {
        public static readonly Retry Instance = new();
    }

    private sealed class Linger
    {
        public static readonly Linger Instance = new();
    }

    private sealed class Expired
    {
        public static readonly Expired Instance = new();
    }
}

/// <summary>How a <see cref="CustodyRound"/> ended.</summary>
/// <param name="Written">True when a majority accepted <paramref name="Value"/>.</param>
/// <param name="Value">The value written.</param>
/// <param name="Ballot">The ballot it was written under.</param>
/// <param name="Reason">Why it was not, in one line.</param>
/// <param name="Members">The membership the round knew at the end, merged from every answer.</param>
public sealed record RoundResult(bool Written, string? Value, Ballot Ballot, string Reason, Membership Members);
