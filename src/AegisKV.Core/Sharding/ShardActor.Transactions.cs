using System.Runtime.InteropServices;
using Akka.Actor;
using AegisKV.Core.Commands;
using AegisKV.Core.Replies;
using AegisKV.Core.State;

namespace AegisKV.Core.Sharding;

// Transactions (MULTI/EXEC) on the shard: WATCH's check, then every command, persisted as one atomic write.
public sealed partial class ShardActor
{
    // A transaction: its commands run one after another with nothing in between, as commands do in an
    // actor; their events go to the journal as one atomic write, so after a crash all of them are there
    // or none. A command that fails (WRONGTYPE, OOM) answers its error and the others still run, as in Redis.
    private static CommandFlags FlagsOf(ShardCommand[] commands)
    {
        var flags = CommandFlags.None;
        foreach (var command in commands) flags |= CommandTable.Get(command.Command).Flags;
        return flags;
    }

    private void Transact(ShardBatch transaction)
    {
        var commands = transaction.Commands;
        var replies = new Reply[commands.Length];
        if (_shell is not null && Unready(FlagsOf(commands)) is { } refusal)
        {
            Array.Fill(replies, refusal);
            Sender.Tell(new ShardBatchReply(transaction.RequestId, replies));
            return;
        }

        var first = 0;
        // WATCH: a leading EXEC carries the watched keys with the versions the client saw; if any
        // changed since, nothing runs and EXEC answers a nil array.
        if (commands.Length > 0 && commands[0].Command == CommandId.Exec)
        {
            if (!WatchedKeysUnchanged(commands[0].Arguments))
            {
                Sender.Tell(new ShardBatchReply(transaction.RequestId, [Reply.NilArray]));
                return;
            }

            replies[0] = Reply.Ok;
            first = 1;
        }

        var events = new List<IShardEvent>();
        var undo = new List<ShardState.Change>();
        var waits = false;
        for (var i = first; i < commands.Length; i++)
        {
            var spec = CommandTable.Get(commands[i].Command);
            var arguments = commands[i].Arguments;
            _events.Clear();
            waits |= _pendingWrites > 0 && TouchesPending(spec, arguments);
            ShardState.Change[]? scriptUndo = null;
            replies[i] = spec.Routing == CommandRouting.Script
                ? RunScript(commands[i].Command, arguments, out scriptUndo)
                : _state.Execute(commands[i].Command, arguments, NowMs(), _events);
            // Inside MULTI a blocking pop does not wait, as in Redis.
            if (ReferenceEquals(replies[i], ShardState.Blocked)) replies[i] = TimedOut(commands[i].Command);
            events.AddRange(_events);
            if ((scriptUndo ?? _state.TakeUndo()) is { } changes) undo.AddRange(changes);
        }

        var target = new TransactionReply(Sender, transaction.RequestId, replies);
        if (_shell is not null)
        {
            Replicate(events, target, 0, TransactionReply.Committed, waits);
            ServeBlocked(events);
            return;
        }

        if (events.Count == 0)
        {
            // Only reads: they wait for the writes in flight that they saw, as single reads do.
            if (waits) AfterWrites(_held.Add(target, 0), TransactionReply.Committed);
            else target.Complete(0, TransactionReply.Committed);
            return;
        }

        JournalEvents(events, LogUndo(CollectionsMarshal.AsSpan(undo)), _held.Add(target, 0), TransactionReply.Committed);
        ServeBlocked(events);
    }

    // Pairs of key and decimal version, as the connection got them from WATCH.
    private bool WatchedKeysUnchanged(byte[][] watched)
    {
        var now = NowMs();
        for (var i = 0; i + 1 < watched.Length; i += 2)
        {
            if (!IntegerText.TryParse(watched[i + 1], out var version) || _state.VersionOf(watched[i], now) != version)
                return false;
        }

        return true;
    }
}
