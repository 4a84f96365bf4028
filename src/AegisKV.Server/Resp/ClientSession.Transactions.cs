using AegisKV.Core.Commands;
using AegisKV.Core.Replies;
using AegisKV.Core.Sharding;

namespace AegisKV.Server.Resp;

// MULTI/EXEC/DISCARD, as Redis Cluster has them: between MULTI and EXEC commands are checked and
// queued (+QUEUED); a command with an error, or whose keys are on another shard than the earlier
// ones (-CROSSSLOT), makes EXEC answer -EXECABORT and run nothing. EXEC sends the queued keyed
// commands to their shard as one atomic batch: they run with nothing in between and are persisted
// as one journal write, all or nothing. WATCH is refused rather than ignored.
internal sealed partial class ClientSession
{
    private static readonly Task<Reply> QueuedTask = Task.FromResult<Reply>(new SimpleReply("QUEUED"u8.ToArray()));

    private List<(CommandSpec Spec, byte[][] Arguments)>? _transaction;
    private bool _transactionFailed;
    private int _transactionShard = -1;

    private bool InTransaction => _transaction is not null;

    // A command refused while queueing (unknown, wrong arity, not authenticated) dooms the transaction.
    private void QueueingFailed()
    {
        if (_transaction is not null) _transactionFailed = true;
    }

    // Null for QUIT, which acts at once even inside MULTI.
    private Task<Reply>? Transaction(CommandSpec spec, byte[][] arguments, Action? beforeShards)
    {
        switch (spec.Id)
        {
            case CommandId.Multi:
                if (_transaction is not null) return Task.FromResult<Reply>(Errors.Text("ERR MULTI calls can not be nested"));
                _transaction = [];
                _transactionFailed = false;
                _transactionShard = -1;
                return OkTask;
            case CommandId.Discard:
                if (_transaction is null) return Task.FromResult<Reply>(Errors.Text("ERR DISCARD without MULTI"));
                _transaction = null;
                return OkTask;
            case CommandId.Exec:
                if (_transaction is null) return Task.FromResult<Reply>(Errors.Text("ERR EXEC without MULTI"));
                // Commands read before EXEC reach their shards first.
                beforeShards?.Invoke();
                return ExecAsync();
            case CommandId.Watch:
                if (_transaction is not null) return Task.FromResult<Reply>(Errors.Text("ERR WATCH inside MULTI is not allowed"));
                return Task.FromResult<Reply>(Errors.Text("ERR WATCH is not supported by this version of AegisKV; MULTI/EXEC without WATCH is"));
            case CommandId.Quit:
                return null;
        }

        if (_transaction is null) return OkTask; // UNWATCH: nothing is ever watched
        var refusal = Queue(spec, arguments);
        if (refusal is null) return QueuedTask;
        _transactionFailed = true;
        return Task.FromResult(refusal);
    }

    private Reply? Queue(CommandSpec spec, byte[][] arguments)
    {
        if (spec.Routing == CommandRouting.AllShards)
            return Errors.Text($"ERR {spec.Name} inside MULTI is not supported by this version of AegisKV");
        if (spec.Routing == CommandRouting.MultiKey && spec.KeyStep > 1 && (arguments.Length - 1) % spec.KeyStep != 0)
            return Errors.WrongArity(spec.Name);
        if (spec.Routing != CommandRouting.Connection)
        {
            var last = spec.Routing == CommandRouting.SingleKey ? 1 : arguments.Length - 1;
            for (var i = 1; i <= last; i += Math.Max(1, spec.KeyStep))
            {
                var shard = _node.Router.ShardOf(arguments[i]);
                if (_transactionShard < 0) _transactionShard = shard;
                else if (shard != _transactionShard) return Errors.Text("CROSSSLOT Keys in request don't hash to the same slot");
            }
        }

        _transaction!.Add((spec, arguments));
        return null;
    }

    private async Task<Reply> ExecAsync()
    {
        var queued = _transaction!;
        var failed = _transactionFailed;
        var shard = _transactionShard;
        _transaction = null;
        if (failed) return Errors.Text("EXECABORT Transaction discarded because of previous errors.");

        var keyed = new List<ShardCommand>(queued.Count);
        foreach (var (spec, arguments) in queued)
            if (spec.Routing != CommandRouting.Connection) keyed.Add(new ShardCommand(spec.Id, arguments[1..]));
        var fromShard = keyed.Count == 0 ? [] : await _inbox.SendAsync(shard, [.. keyed], atomic: true).ConfigureAwait(false);

        var replies = new Reply[queued.Count];
        for (int i = 0, k = 0; i < queued.Count; i++)
        {
            var (spec, arguments) = queued[i];
            replies[i] = spec.Routing != CommandRouting.Connection ? fromShard[k++]
                : spec.Id == CommandId.Unwatch ? Reply.Ok
                : await Dispatch(spec, arguments).ConfigureAwait(false);
        }

        return new ArrayReply(replies);
    }
}
