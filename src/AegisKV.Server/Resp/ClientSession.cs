using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AegisKV.Core.Commands;
using AegisKV.Core.Replies;
using AegisKV.Core.Sharding;
using AegisKV.Core.State;
using AegisKV.Server.Metrics;

namespace AegisKV.Server.Resp;

/// <summary>
/// One client connection: its AUTH state and name, the connection-level commands, and the
/// hand-off of keyed commands to the router. Called from one stream stage at a time.
/// </summary>
internal sealed partial class ClientSession
{
    private static readonly Task<Reply> PongTask = Task.FromResult<Reply>(new SimpleReply("PONG"u8.ToArray()));
    private static readonly Task<Reply> OkTask = Task.FromResult(Reply.Ok);

    private readonly NodeContext _node;
    private readonly ReplyInbox _inbox;
    private readonly ClientInfo _client;
    private readonly ReplyPush _push;
    private bool _authenticated;
    private bool _closing;
    private PipelineGroups? _spareGroups;

    public ClientSession(NodeContext node, ReplyInbox inbox, ClientInfo client, ReplyPush push)
    {
        _node = node;
        _inbox = inbox;
        _client = client;
        _push = push;
        _authenticated = node.Settings.AuthToken is null;
    }

    public long Id => _client.Id;

    /// <summary>
    /// Runs the requests that arrived together, in order. Single-key commands are grouped per
    /// shard and sent as one message each; a multi-key or all-shard command first sends the groups
    /// gathered so far, so every shard sees the connection's commands in the order they were sent.
    /// </summary>
    public Task<Reply[]> ExecuteBatchAsync(IReadOnlyList<Incoming> batch)
    {
        var silenced = SilencedReplies(batch);
        var replies = ExecuteInTurn(batch);
        return silenced is null ? replies : Silence(replies, silenced);
    }

    private Task<Reply[]> ExecuteInTurn(IReadOnlyList<Incoming> batch)
    {
        // While a blocking command waits, what the client sent after it waits too, as in Redis.
        lock (_blockedGate)
        {
            if (!_blockedTail.IsCompleted)
            {
                var queued = AfterAsync(_blockedTail, batch);
                _blockedTail = queued;
                return queued;
            }
        }

        return ExecuteNow(batch);
    }

    private async Task<Reply[]> AfterAsync(Task previous, IReadOnlyList<Incoming> batch)
    {
        await previous.ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
        return await ExecuteNow(batch).ConfigureAwait(false);
    }

    private Task<Reply[]> ExecuteNow(IReadOnlyList<Incoming> batch)
    {
        // After QUIT or a protocol error nothing the client sent later may take effect.
        if (_closing) return NoReplies;
        var cut = FirstBlocking(batch);
        if (cut >= 0) return ExecuteBlocking(batch, cut);
        if (batch.Count != 1) return ExecuteManyAsync(batch);

        // The common case, one request per read: a single-key command's task is the inbox's own.
        var started = NodeStatistics.Timestamp();
        var reply = Prepare(batch[0], started, out var spec, out var arguments, null);
        if (reply is null) return _inbox.SendAsync(_node.Router.ShardOf(ShardKey(spec!, arguments!)), [new ShardCommand(spec!.Id, arguments![1..])], started);
        if (reply.IsCompleted && reply.Result is ClosingReply) _closing = true;
        return One(reply);
    }

    private static readonly Task<Reply[]> NoReplies = Task.FromResult(Array.Empty<Reply>());

    private static async Task<Reply[]> One(Task<Reply> reply) => [await reply.ConfigureAwait(false)];

    private async Task<Reply[]> ExecuteManyAsync(IReadOnlyList<Incoming> batch, long waitMs = 0)
    {
        var started = NodeStatistics.Timestamp();
        var replies = new Reply[batch.Count];
        List<(int Index, Task<Reply> Reply)>? singles = null;
        var sent = new List<(int[] Places, Task<Reply[]> Replies)>();
        // The connection's spare, unless a batch of its own is still gathering (it never is between batches).
        var gathering = Interlocked.Exchange(ref _spareGroups, null) ?? new PipelineGroups(_node.Router.ShardCount);
        Action? sendGathered = null;

        var count = batch.Count;
        for (var i = 0; i < count; i++)
        {
            // Multi-key and all-shard commands reach shards too: what was gathered so far goes first.
            var immediate = Prepare(batch[i], started, out var spec, out var arguments, sendGathered ??= () => gathering.Send(_inbox, sent, started, waitMs));
            if (immediate is null)
            {
                gathering.Add(i, _node.Router.ShardOf(ShardKey(spec!, arguments!)), new ShardCommand(spec!.Id, arguments![1..]));
                continue;
            }

            (singles ??= []).Add((i, immediate));
            // A closing answer may come later (a last wrong AUTH waits out its delay): nothing after it runs either way.
            if (_closing || (immediate.IsCompleted && immediate.Result is ClosingReply))
            {
                _closing = true;
                count = i + 1;
            }
        }

        gathering.Send(_inbox, sent, started, waitMs);
        _spareGroups = gathering;
        if (count < replies.Length) Array.Resize(ref replies, count);
        if (singles is not null)
            foreach (var (index, reply) in singles) replies[index] = await reply.ConfigureAwait(false);
        foreach (var (places, group) in sent)
        {
            var results = await group.ConfigureAwait(false);
            for (var j = 0; j < places.Length; j++) replies[places[j]] = results[j];
        }

        return replies;
    }

    /// <summary>
    /// Checks and runs a request that needs no single shard; returns null for a single-key
    /// command that passed every check, for the caller to send to its shard.
    /// </summary>
    private Task<Reply>? Prepare(Incoming incoming, long started, out CommandSpec? spec, out byte[][]? arguments, Action? beforeShards)
    {
        spec = null;
        arguments = incoming.Arguments;
        if (arguments is null)
        {
            _node.Metrics.ProtocolError();
            return Task.FromResult<Reply>(new ClosingReply(Errors.Text(incoming.ProtocolError!)));
        }

        _node.Statistics.CommandProcessed();
        spec = CommandTable.Find(arguments[0]);
        if (spec is null)
        {
            _node.Metrics.RecordUnknown();
            QueueingFailed();
            return Task.FromResult<Reply>(_authenticated ? Errors.UnknownCommand(arguments) : Errors.NoAuth);
        }

        _client.Commanded(spec.LowerNameText);
        if (_node.Clients.HasMonitors && (_authenticated || spec.Id is CommandId.Auth or CommandId.Hello)) _node.Clients.Publish(_client, arguments);
        Task<Reply>? reply;
        if (!_authenticated && (spec.Flags & CommandFlags.NoAuth) == 0)
        {
            QueueingFailed();
            reply = Task.FromResult<Reply>(Errors.NoAuth);
        }
        else if (!spec.AcceptsArgumentCount(arguments.Length))
        {
            QueueingFailed();
            reply = Task.FromResult<Reply>(Errors.WrongArity(spec.Name));
        }
        else if (SubscribedRefusal(spec) is { } subscribed)
        {
            reply = Task.FromResult(subscribed);
        }
        else if ((InTransaction || spec.Id is CommandId.Multi or CommandId.Exec or CommandId.Discard or CommandId.Watch or CommandId.Unwatch)
                 && Transaction(spec, arguments, beforeShards) is { } transaction)
        {
            reply = transaction;
        }
        else if (spec.Routing == CommandRouting.SameShard && SameShardRefusal(spec, arguments) is { } refusal)
        {
            reply = Task.FromResult(refusal);
        }
        else if (spec.Routing is CommandRouting.SingleKey or CommandRouting.SameShard) return null;
        else
        {
            // Commands that reach shards (OBJECT and MEMORY name a key too) go after the groups gathered so far.
            if (spec.Routing is CommandRouting.MultiKey or CommandRouting.AllShards || spec.FirstKey > 0) beforeShards?.Invoke();
            reply = Dispatch(spec, arguments);
        }

        if (reply.IsCompleted)
        {
            _node.Metrics.Record(spec.Id, reply.Result, started, _client, arguments.AsSpan(1));
            return reply;
        }

        return Timed(reply, spec.Id, started, arguments);
    }


    // A command that runs as one step on one shard: its keys must all be in one hash slot, as in Redis Cluster.
    private static Reply? SameShardRefusal(CommandSpec spec, byte[][] arguments)
    {
        if (spec.KeyStep > 1 && (arguments.Length - spec.FirstKey) % spec.KeyStep != 0) return Errors.WrongArity(spec.Name);
        if (Core.Commands.CommandKeys.Find(spec, arguments, out var first, out var last, out var step) is { } badKeys) return badKeys;
        var slot = KeySlots.SlotOf(arguments[first]);
        for (var i = first + step; i <= last; i += step)
            if (KeySlots.SlotOf(arguments[i]) != slot) return CrossSlot;
        return null;
    }

    // The key that picks a keyed command's shard: its first.
    private static byte[] ShardKey(CommandSpec spec, byte[][] arguments) =>
        arguments[spec.NumKeysAt > 0 ? spec.NumKeysAt + 1 : Math.Max(1, spec.FirstKey)];

    private static readonly ErrorReply CrossSlot = Errors.Text("CROSSSLOT Keys in request don't hash to the same slot");

    private async Task<Reply> Timed(Task<Reply> pending, CommandId command, long started, byte[][] arguments)
    {
        var reply = await pending.ConfigureAwait(false);
        _node.Metrics.Record(command, reply, started, _client, arguments.AsSpan(1));
        return reply;
    }

    private Task<Reply> Dispatch(CommandSpec spec, byte[][] arguments)
    {
        var router = _node.Router;
        switch (spec.Routing)
        {
            case CommandRouting.MultiKey:
                if (spec.KeyStep > 1 && (arguments.Length - 1) % spec.KeyStep != 0)
                    return Task.FromResult<Reply>(Errors.WrongArity(spec.Name));
                return router.MultiKeyAsync(_inbox, spec.Id, arguments, spec.KeyStep);
        }

        return spec.Id switch
        {
            CommandId.Ping when PingsAsPush => Task.FromResult<Reply>(new ArrayReply([Bulk("pong"), new BulkReply(arguments.Length > 1 ? arguments[1] : [])])),
            CommandId.Ping => arguments.Length switch
            {
                1 => PongTask,
                2 => Task.FromResult<Reply>(new BulkReply(arguments[1])),
                _ => Task.FromResult<Reply>(Errors.WrongArity("ping")),
            },
            CommandId.Echo => Task.FromResult<Reply>(new BulkReply(arguments[1])),
            CommandId.Quit => Task.FromResult<Reply>(new ClosingReply(Reply.Ok)),
            CommandId.Auth => Authenticate(arguments, hello: false),
            CommandId.Hello => Authenticate(arguments, hello: true),
            CommandId.Select => Task.FromResult(Select(arguments[1])),
            CommandId.Client => Task.FromResult(Client(arguments)),
            CommandId.Command => Task.FromResult(CommandInfo(arguments)),
            CommandId.Info => Task.FromResult(Info(arguments)),
            CommandId.Time => Task.FromResult(Time()),
            CommandId.Config => Task.FromResult(Config(arguments)),
            CommandId.Monitor => Task.FromResult(Monitor()),
            CommandId.Object or CommandId.Memory => KeyedIntrospection(spec, arguments),
            CommandId.SlowLog => Task.FromResult(SlowLog(arguments)),
            CommandId.Function => Task.FromResult(Function(arguments)),
            CommandId.Cluster => ClusterAsync(arguments),
            CommandId.Eval or CommandId.EvalSha or CommandId.EvalRo or CommandId.EvalShaRo => EvalAsync(spec, arguments),
            CommandId.Script => Task.FromResult(Script(arguments)),
            CommandId.Subscribe or CommandId.Unsubscribe or CommandId.PSubscribe or CommandId.PUnsubscribe or CommandId.SSubscribe or CommandId.SUnsubscribe
                or CommandId.Publish or CommandId.SPublish or CommandId.PubSub => Task.FromResult(PubSubCommand(spec.Id, arguments)),
            CommandId.DbSize => SumAsync(CommandId.DbSize),
            CommandId.RandomKey => RandomKeyAsync(),
            CommandId.Keys => KeysAsync(arguments[1]),
            CommandId.Scan => ScanAsync(arguments),
            CommandId.FlushAll or CommandId.FlushDb => FlushAsync(spec, arguments),
            _ => Task.FromResult<Reply>(Errors.Text($"ERR '{spec.Name}' is not implemented")),
        };
    }

    private static Reply Time()
    {
        var now = DateTimeOffset.UtcNow;
        var micros = now.ToUnixTimeMilliseconds() * 1000 + (now.Ticks % TimeSpan.TicksPerMillisecond) / 10;
        return new ArrayReply([Bulk((micros / 1_000_000).ToString(CultureInfo.InvariantCulture)), Bulk((micros % 1_000_000).ToString(CultureInfo.InvariantCulture))]);
    }

    private async Task<Reply> SumAsync(CommandId command)
    {
        long total = 0;
        foreach (var reply in await _node.Router.AllShardsAsync(_inbox, command, []).ConfigureAwait(false))
        {
            if (reply is ErrorReply) return reply;
            if (reply is IntegerReply integer) total += integer.Value;
        }

        return Reply.Integer(total);
    }

    private async Task<Reply> KeysAsync(byte[] pattern)
    {
        var keys = new List<Reply>();
        foreach (var reply in await _node.Router.AllShardsAsync(_inbox, CommandId.Keys, [pattern]).ConfigureAwait(false))
        {
            if (reply is ErrorReply) return reply;
            if (reply is ArrayReply { Items: { } items }) keys.AddRange(items);
        }

        return new ArrayReply([.. keys]);
    }

    private async Task<Reply> FlushAsync(CommandSpec spec, byte[][] arguments)
    {
        if (arguments.Length > 2 || (arguments.Length == 2 && !Ascii.EqualsIgnoreCase(arguments[1], "ASYNC"u8) && !Ascii.EqualsIgnoreCase(arguments[1], "SYNC"u8)))
            return Errors.Syntax;
        foreach (var reply in await _node.Router.AllShardsAsync(_inbox, spec.Id, []).ConfigureAwait(false))
            if (reply is ErrorReply) return reply;
        return Reply.Ok;
    }

    private static Reply Bulk(string text) => new BulkReply(Encoding.UTF8.GetBytes(text));
}
