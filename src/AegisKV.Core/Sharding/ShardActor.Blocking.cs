using Akka.Actor;
using AegisKV.Core.Commands;
using AegisKV.Core.Replies;
using AegisKV.Core.State;

namespace AegisKV.Core.Sharding;

// Blocking pops (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP): a command that finds every list it names empty is
// held here, not in the connection, so the push that fills a list serves the clients waiting on it before any
// later command runs, first come first served. A held client is answered at its timeout, released with TRYAGAIN
// when the shard stops serving, and dropped when its connection goes (CancelBlocked).
public sealed partial class ShardActor
{
    private static readonly TimeSpan BlockedCheckEvery = TimeSpan.FromSeconds(1);

    private readonly Dictionary<byte[], LinkedList<BlockedClient>> _blockedByKey = new(ByteKeyComparer.Instance);
    private readonly List<BlockedClient> _blocked = [];
    private long _currentRequestId;

    // Holds a command that answered ShardState.Blocked; a timeout that does not parse never gets here.
    private void Block(CommandId command, byte[][] arguments, IReplyTarget target, int index)
    {
        BlockingTimeout.Parse(arguments[BlockingTimeout.ArgumentOf(command, arguments)], out var ms);
        var deadline = ms == 0 ? long.MaxValue : Environment.TickCount64 + ms;
        var client = new BlockedClient(Sender, _currentRequestId, command, arguments, target, index, deadline);
        foreach (var key in BlockingTimeout.KeysOf(command, arguments))
        {
            if (!_blockedByKey.TryGetValue(key, out var waiting)) _blockedByKey[key] = waiting = new LinkedList<BlockedClient>();
            // A key named twice (BLPOP k k 0) is waited on once.
            if (!client.Places.Exists(p => ReferenceEquals(p.Node.List, waiting))) client.Places.Add((key, waiting.AddLast(client)));
        }

        _blocked.Add(client);
        _memory.AddBlocked(1);
        ScheduleBlockedCheck();
    }

    // After a write: clients waiting on a key it changed try again, in the order they came; a served client's own
    // write (BLMOVE's push) may serve others in turn.
    private void ServeBlocked(IReadOnlyList<IShardEvent> written)
    {
        if (_blocked.Count == 0) return;
        Queue<byte[]>? ready = null;
        foreach (var e in written) Ready(e, ref ready);
        while (ready is not null && ready.TryDequeue(out var key))
        {
            if (!_blockedByKey.TryGetValue(key, out var waiting)) continue;
            // A key that holds no list now (pushed, then deleted or set to a string) wakes no one, as in Redis.
            while (waiting.First?.Value is { } client && _state.HoldsList(key, NowMs()))
            {
                _events.Clear();
                var reply = _state.Execute(client.Command, client.Arguments, NowMs(), _events);
                if (ReferenceEquals(reply, ShardState.Blocked)) break;
                Release(client);
                var served = _events.ToArray();
                Finish(CommandTable.Get(client.Command), client.Arguments, reply, client.Target, client.Index);
                foreach (var e in served) Ready(e, ref ready);
            }
        }
    }

    private void Ready(IShardEvent e, ref Queue<byte[]>? ready)
    {
        switch (e)
        {
            case ShardEvents batch:
                foreach (var inner in batch.Events) Ready(inner, ref ready);
                break;
            case ListPushed or EntryRestored when _blockedByKey.ContainsKey(((IKeyEvent)e).Key):
                (ready ??= new Queue<byte[]>()).Enqueue(((IKeyEvent)e).Key);
                break;
        }
    }

    private void Release(BlockedClient client)
    {
        if (_blocked.Remove(client)) _memory.AddBlocked(-1);
        foreach (var (key, node) in client.Places)
        {
            var waiting = node.List!;
            waiting.Remove(node);
            if (waiting.Count == 0) _blockedByKey.Remove(key);
        }

        client.Places.Clear();
    }

    // Answers the clients whose timeout passed, or every client when the shard no longer serves here.
    private void CheckBlocked()
    {
        var now = Environment.TickCount64;
        var serving = _mode == ShardMode.Serving && (_shell is null || Unready(CommandFlags.Write) is null);
        for (var i = _blocked.Count - 1; i >= 0; i--)
        {
            var client = _blocked[i];
            if (serving && client.Deadline > now) continue;
            Release(client);
            client.Target.Complete(client.Index, serving ? TimedOut(client.Command) : Errors.TryAgain);
        }

        ScheduleBlockedCheck();
    }

    private void CancelBlocked(CancelBlocked cancel)
    {
        for (var i = _blocked.Count - 1; i >= 0; i--)
        {
            var client = _blocked[i];
            if (client.RequestId == cancel.RequestId && client.Sender.Equals(Sender)) Release(client);
        }
    }

    private void ReleaseAllBlocked()
    {
        foreach (var client in _blocked.ToArray())
        {
            Release(client);
            client.Target.Complete(client.Index, Errors.TryAgain);
        }
    }

    /// <summary>What a blocking command answers when nothing came in time (and inside MULTI, at once).</summary>
    internal static Reply TimedOut(CommandId command) =>
        command is CommandId.BLMove or CommandId.BRPopLPush ? Reply.Nil : Reply.NilArray;

    private void ScheduleBlockedCheck()
    {
        if (_blocked.Count == 0)
        {
            Timers.Cancel("blocked");
            return;
        }

        var earliest = long.MaxValue;
        foreach (var client in _blocked) earliest = Math.Min(earliest, client.Deadline);
        var wait = TimeSpan.FromMilliseconds(Math.Clamp(earliest - Environment.TickCount64, 1, (long)BlockedCheckEvery.TotalMilliseconds));
        Timers.StartSingleTimer("blocked", CheckBlockedClients.Instance, wait);
    }

    private sealed class BlockedClient(IActorRef sender, long requestId, CommandId command, byte[][] arguments, IReplyTarget target, int index, long deadline)
    {
        public IActorRef Sender { get; } = sender;

        public long RequestId { get; } = requestId;

        public CommandId Command { get; } = command;

        public byte[][] Arguments { get; } = arguments;

        public IReplyTarget Target { get; } = target;

        public int Index { get; } = index;

        public long Deadline { get; } = deadline;

        // Each key it waits on, with its node in that key's queue, for removal in O(1).
        public List<(byte[] Key, LinkedListNode<BlockedClient> Node)> Places { get; } = [];
    }

    private sealed class CheckBlockedClients
    {
        public static readonly CheckBlockedClients Instance = new();
    }
}
