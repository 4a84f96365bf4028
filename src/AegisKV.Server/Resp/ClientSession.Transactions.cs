using AegisKV.Core.Commands;
using AegisKV.Core.Replies;
using AegisKV.Core.Sharding;

namespace AegisKV.Server.Resp;

// MULTI/EXEC/DISCARD/WATCH, as Redis Cluster has them: between MULTI and EXEC commands are checked
// and queued (+QUEUED); a command with an error, or whose keys are in another hash slot than the earlier
// ones (-CROSSSLOT), makes EXEC answer -EXECABORT and run nothing. EXEC sends the queued keyed
// commands to their shard as one atomic batch: they run with nothing in between and are persisted
// as one journal write, all or nothing. WATCH records the versions of keys in one slot (of the shard
// the transaction runs on); EXEC
// hands them back first, and the shard runs nothing (EXEC answers nil) if any key changed since.
internal sealed partial class ClientSession
{
    private static readonly Task<Reply> QueuedTask = Task.FromResult<Reply>(new SimpleReply("QUEUED"u8.ToArray()));

    private List<(CommandSpec Spec, byte[][] Arguments)>? _transaction;
    private bool _transactionFailed;
    private int _transactionSlot = -1;
    // The keys of each WATCH with the shard's answer (their versions), in order. Kept as it is sent, not
    // as it is answered, so a pipelined UNWATCH or EXEC sees every WATCH sent before it.
    private List<(byte[][] Keys, Task<Reply[]> Versions)>? _watched;
    private int _watchedSlot = -1;

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
                _transactionSlot = -1;
                _client.Queued = 0;
                return OkTask;
            case CommandId.Discard:
                if (_transaction is null) return Task.FromResult<Reply>(Errors.Text("ERR DISCARD without MULTI"));
                _transaction = null;
                _client.Queued = -1;
                Unwatch();
                return OkTask;
            case CommandId.Exec:
                if (_transaction is null) return Task.FromResult<Reply>(Errors.Text("ERR EXEC without MULTI"));
                // Commands read before EXEC reach their shards first.
                beforeShards?.Invoke();
                return ExecAsync();
            case CommandId.Watch:
                if (_transaction is not null) return Task.FromResult<Reply>(Errors.Text("ERR WATCH inside MULTI is not allowed"));
                beforeShards?.Invoke();
                return WatchAsync(arguments);
            case CommandId.Quit:
                return null;
        }

        if (_transaction is null)
        {
            Unwatch(); // UNWATCH
            return OkTask;
        }
        var refusal = Queue(spec, arguments);
        if (refusal is null) return QueuedTask;
        _transactionFailed = true;
        return Task.FromResult(refusal);
    }

    private Reply? Queue(CommandSpec spec, byte[][] arguments)
    {
        // HELLO changes how every later reply is written; inside EXEC's array it could not.
        if (spec.Id == CommandId.Hello) return Errors.Text("ERR HELLO inside MULTI is not supported by AegisKV");
        if (spec.Routing == CommandRouting.AllShards)
            return Errors.Text($"ERR {spec.Name} inside MULTI is not supported by this version of AegisKV");
        if (spec.Routing is CommandRouting.MultiKey or CommandRouting.SameShard && spec.KeyStep > 1 && (arguments.Length - 1) % spec.KeyStep != 0)
            return Errors.WrongArity(spec.Name);
        if (spec.Routing != CommandRouting.Connection)
        {
            if (Core.Commands.CommandKeys.Find(spec, arguments, out var first, out var last, out var step) is { } badKeys) return badKeys;
            if (spec.Routing == CommandRouting.SingleKey) last = first;
            for (var i = first; i <= last && i > 0; i += step)
            {
                var slot = KeySlots.SlotOf(arguments[i]);
                if (_transactionSlot < 0) _transactionSlot = slot;
                else if (slot != _transactionSlot) return CrossSlot;
                // The watched keys are checked in the same step on the same shard.
                if (_watchedSlot >= 0 && _node.Router.ShardOfSlot(slot) != _node.Router.ShardOfSlot(_watchedSlot)) return CrossSlot;
            }
        }

        _transaction!.Add((spec, arguments));
        _client.Queued = _transaction.Count;
        return null;
    }

    private Task<Reply> WatchAsync(byte[][] arguments)
    {
        var slot = _watchedSlot;
        for (var i = 1; i < arguments.Length; i++)
        {
            var keySlot = KeySlots.SlotOf(arguments[i]);
            if (slot >= 0 && keySlot != slot) return Task.FromResult<Reply>(CrossSlot);
            slot = keySlot;
        }

        var keys = arguments[1..];
        var versions = _inbox.SendAsync(_node.Router.ShardOfSlot(slot), [new ShardCommand(CommandId.Watch, keys)]);
        (_watched ??= []).Add((keys, versions));
        _watchedSlot = slot;
        return WatchedAsync(versions);
    }

    private static async Task<Reply> WatchedAsync(Task<Reply[]> versions)
    {
        var reply = (await versions.ConfigureAwait(false))[0];
        return reply is ArrayReply ? Reply.Ok : reply;
    }

    // Key, version, key, version, …: what the shard checks at EXEC. Null when a WATCH failed (TRYAGAIN)
    // or is not answered yet (WATCH pipelined with EXEC): the transaction must then not run, and EXEC
    // must be sent now, in order with the connection's other commands, so there is no waiting for it.
    private static byte[][]? WatchedVersions(List<(byte[][] Keys, Task<Reply[]> Versions)> watched)
    {
        var pairs = new List<byte[]>();
        foreach (var (keys, versions) in watched)
        {
            if (!versions.IsCompletedSuccessfully || versions.Result[0] is not ArrayReply { Items: { } items }) return null;
            for (var i = 0; i < keys.Length; i++)
            {
                pairs.Add(keys[i]);
                pairs.Add(System.Text.Encoding.ASCII.GetBytes(((IntegerReply)items[i]).Value.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
        }

        return [.. pairs];
    }

    private void Unwatch()
    {
        _watched = null;
        _watchedSlot = -1;
    }

    private async Task<Reply> ExecAsync()
    {
        var queued = _transaction!;
        var failed = _transactionFailed;
        _client.Queued = -1;
        // A transaction of scripts that name no key runs where such a script does: on slot 0's shard.
        var slot = _transactionSlot >= 0 ? _transactionSlot : Math.Max(0, _watchedSlot);
        var watched = _watched;
        _transaction = null;
        Unwatch();
        if (failed) return Errors.Text("EXECABORT Transaction discarded because of previous errors.");

        var keyed = new List<ShardCommand>(queued.Count + 1);
        // The watched keys and their versions go first: the shard checks them before running anything.
        if (watched is not null)
        {
            if (WatchedVersions(watched) is not { } versions) return Reply.NilArray;
            keyed.Add(new ShardCommand(CommandId.Exec, versions));
        }

        // Connection commands (PING, AUTH, CLIENT SETNAME, …) run here, on the connection's own thread,
        // before anything is awaited; keyed commands go to their shard in one atomic batch.
        var inPlace = new Task<Reply>?[queued.Count];
        for (var i = 0; i < queued.Count; i++)
        {
            var (spec, arguments) = queued[i];
            if (spec.Routing == CommandRouting.Script)
            {
                // Its body could go from the script cache while queued: EVALSHA then answers NOSCRIPT inside EXEC.
                if (ScriptCommand(spec, arguments, out _) is { } script) keyed.Add(script);
                else inPlace[i] = Task.FromResult(ScriptRefusal(spec, arguments) ?? NoScript);
            }
            else if (spec.Routing != CommandRouting.Connection) keyed.Add(new ShardCommand(spec.Id, arguments[1..]));
            else inPlace[i] = spec.Id == CommandId.Unwatch ? OkTask : Dispatch(spec, arguments);
        }

        var fromShard = keyed.Count == 0 ? [] : await _inbox.SendAsync(_node.Router.ShardOfSlot(slot), [.. keyed], atomic: true).ConfigureAwait(false);
        if (watched is not null)
        {
            // A watched key changed: nothing ran, and EXEC answers nil.
            if (fromShard is [ArrayReply { Items: null }]) return Reply.NilArray;
            fromShard = fromShard[1..];
        }

        var replies = new Reply[queued.Count];
        for (int i = 0, k = 0; i < queued.Count; i++)
            replies[i] = inPlace[i] is { } reply ? await reply.ConfigureAwait(false) : fromShard[k++];

        return new ArrayReply(replies);
    }
}
