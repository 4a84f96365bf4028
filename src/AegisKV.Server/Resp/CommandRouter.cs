using Akka.Actor;
using AegisKV.Core.Commands;
using AegisKV.Core.Replies;
using AegisKV.Core.Sharding;

namespace AegisKV.Server.Resp;

/// <summary>
/// Sends keyed commands to the shards that own their keys, through the shard region, and
/// merges the answers of multi-key and all-shard commands. Each key is linearizable; a
/// command spanning shards is not atomic across them.
/// </summary>
public sealed class CommandRouter
{
    private readonly IActorRef _region;
    private readonly LocalShards _local;
    private readonly int _shardCount;
    private readonly TimeSpan _timeout;

    /// <summary>Creates a router over <paramref name="region"/>.</summary>
    public CommandRouter(IActorRef region, LocalShards local, int shardCount, TimeSpan timeout)
    {
        _region = region;
        _local = local;
        _shardCount = shardCount;
        _timeout = timeout;
    }

    /// <summary>Number of shards in the key space.</summary>
    public int ShardCount => _shardCount;

    /// <summary>Runs MGET, MSET, DEL, UNLINK or EXISTS: keys are grouped per shard, answers merged in key order.</summary>
    public Task<Reply> MultiKeyAsync(CommandId command, byte[][] arguments, int step)
    {
        var pairs = (arguments.Length - 1) / step;
        var firstShard = ShardResolver.ShardOf(arguments[1], _shardCount);
        var shardOfPair = new int[pairs];
        var singleShard = true;
        for (var i = 0; i < pairs; i++)
        {
            shardOfPair[i] = i == 0 ? firstShard : ShardResolver.ShardOf(arguments[1 + i * step], _shardCount);
            singleShard &= shardOfPair[i] == firstShard;
        }

        if (singleShard) return AskAsync(new ShardRequest(firstShard, command, arguments[1..]));
        return FanOutAsync(command, arguments, step, shardOfPair);
    }

    /// <summary>Runs a command on every shard and returns the answers in shard order.</summary>
    public Task<Reply[]> AllShardsAsync(CommandId command, byte[][] shardArguments)
    {
        var asks = new Task<Reply>[_shardCount];
        for (var shard = 0; shard < _shardCount; shard++) asks[shard] = AskAsync(new ShardRequest(shard, command, shardArguments));
        return Task.WhenAll(asks);
    }

    /// <summary>Runs a command on one shard.</summary>
    public Task<Reply> ShardAsync(int shard, CommandId command, byte[][] shardArguments) =>
        AskAsync(new ShardRequest(shard, command, shardArguments));

    /// <summary>Runs single-key commands of one connection on one shard, in order, with one message.</summary>
    internal Task<Reply[]> BatchAsync(ReplyInbox inbox, int shard, ShardCommand[] commands) =>
        inbox.SendAsync(Target(shard), shard, commands);

    /// <summary>Runs one single-key command on the shard owning its key.</summary>
    internal async Task<Reply> SingleKeyAsync(ReplyInbox inbox, CommandId command, byte[][] arguments)
    {
        var shard = ShardResolver.ShardOf(arguments[1], _shardCount);
        var replies = await inbox.SendAsync(Target(shard), shard, [new ShardCommand(command, arguments[1..])]).ConfigureAwait(false);
        return replies[0];
    }

    // A shard serving on this node takes the request directly; any other goes through the region.
    private IActorRef Target(int shard) => _local.TryGet(shard, out var actor) ? actor : _region;

    private async Task<Reply> FanOutAsync(CommandId command, byte[][] arguments, int step, int[] shardOfPair)
    {
        var byShard = new Dictionary<int, List<int>>();
        for (var i = 0; i < shardOfPair.Length; i++)
        {
            if (!byShard.TryGetValue(shardOfPair[i], out var list)) byShard[shardOfPair[i]] = list = [];
            list.Add(i);
        }

        var shards = new List<(List<int> Pairs, Task<Reply> Ask)>(byShard.Count);
        var asks = new Task[byShard.Count];
        foreach (var (shard, list) in byShard)
        {
            var shardArguments = new byte[list.Count * step][];
            for (var j = 0; j < list.Count; j++)
                for (var k = 0; k < step; k++) shardArguments[j * step + k] = arguments[1 + list[j] * step + k];
            var ask = AskAsync(new ShardRequest(shard, command, shardArguments));
            asks[shards.Count] = ask;
            shards.Add((list, ask));
        }

        await Task.WhenAll(asks).ConfigureAwait(false);

        if (command == CommandId.MGet)
        {
            var values = new Reply[shardOfPair.Length];
            foreach (var (pairs, ask) in shards)
            {
                if (ask.Result is not ArrayReply { Items: { } items }) return ask.Result;
                for (var j = 0; j < pairs.Count; j++) values[pairs[j]] = items[j];
            }

            return new ArrayReply(values);
        }

        long total = 0;
        foreach (var (_, ask) in shards)
        {
            switch (ask.Result)
            {
                case IntegerReply integer:
                    total += integer.Value;
                    break;
                case ErrorReply error:
                    return error;
            }
        }

        return command == CommandId.MSet ? Reply.Ok : Reply.Integer(total);
    }

    private async Task<Reply> AskAsync(ShardRequest request)
    {
        try
        {
            return await _region.Ask<Reply>(request, _timeout).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            return Errors.TryAgain;
        }
    }
}
