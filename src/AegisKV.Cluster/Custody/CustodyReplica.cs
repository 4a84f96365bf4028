using Akka.Actor;
using Akka.Event;

namespace AegisKV.Cluster.Custody;

/// <summary>
/// This node's custody replica (acceptor): promises and accepts ballots per entry and keeps them durably before
/// it answers, so that a majority's answer survives crashes. Changes that arrive together are saved in one write.
/// A save that fails (full disk) refuses the requests it carried and keeps the last saved state.
/// </summary>
public sealed class CustodyReplica : ReceiveActor
{
    /// <summary>The actor's name under <c>/user</c> on every node.</summary>
    public const string Name = "custody";

    private readonly string _nodeId;
    private readonly CustodyStore _store;
    private readonly CustodyView _view;
    private readonly List<(IActorRef To, ICustodyMessage Granted, ICustodyMessage Refused)> _outbox = [];
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private CustodyState _state;
    private bool _flushQueued;

    /// <summary>Creates the replica of node <paramref name="nodeId"/>, starting from what <paramref name="view"/> holds.</summary>
    public CustodyReplica(string nodeId, CustodyStore store, CustodyView view)
    {
        _nodeId = nodeId;
        _store = store;
        _view = view;
        _state = view.Current;
        Receive<Prepare>(OnPrepare);
        Receive<Accept>(OnAccept);
        Receive<MergeMembership>(m =>
        {
            var merged = _state.Members.Merge(m.Members);
            if (!ReferenceEquals(merged, _state.Members)) Change(_state with { Members = merged });
        });
        Receive<Flush>(_ => OnFlush());
    }

    /// <summary>Props for the replica.</summary>
    public static Props Props(string nodeId, CustodyStore store, CustodyView view) =>
        Akka.Actor.Props.Create(() => new CustodyReplica(nodeId, store, view));

    private void OnPrepare(Prepare prepare)
    {
        var register = _state.Get(prepare.Key);
        if (prepare.Ballot <= register.Promised)
        {
            Sender.Tell(new Promise(prepare.RoundId, _nodeId, false, register, _state.Members));
            return;
        }

        var promised = register with { Promised = prepare.Ballot };
        Change(_state.With(prepare.Key, promised));
        Reply(new Promise(prepare.RoundId, _nodeId, true, promised, _state.Members), new Promise(prepare.RoundId, _nodeId, false, register, _state.Members));
    }

    private void OnAccept(Accept accept)
    {
        var register = _state.Get(accept.Key);
        if (accept.Ballot < register.Promised)
        {
            Sender.Tell(new Accepted(accept.RoundId, _nodeId, false, register.Promised, _state.Members));
            return;
        }

        Change(_state.With(accept.Key, new Register(accept.Ballot, accept.Ballot, accept.Value)));
        Reply(new Accepted(accept.RoundId, _nodeId, true, accept.Ballot, _state.Members), new Accepted(accept.RoundId, _nodeId, false, register.Promised, _state.Members));
    }

    private void Change(CustodyState state)
    {
        _state = state;
        if (_flushQueued) return;
        _flushQueued = true;
        Self.Tell(Flush.Instance);
    }

    private void Reply(ICustodyMessage granted, ICustodyMessage refused) => _outbox.Add((Sender, granted, refused));

    private void OnFlush()
    {
        _flushQueued = false;
        var saved = true;
        try
        {
            _store.Save(_state);
            _view.Publish(_state);
        }
        catch (IOException e)
        {
            saved = false;
            _log.Warning("Custody state could not be saved ({0}); requests refused until it can", e.Message);
            _state = _view.Current;
        }

        foreach (var (to, granted, refused) in _outbox) to.Tell(saved ? granted : refused);
        _outbox.Clear();
    }

    private sealed class Flush
    {
        public static readonly Flush Instance = new();
    }
}
