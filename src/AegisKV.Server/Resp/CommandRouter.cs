using AegisKV.Core.Commands;
using AegisKV.Core.Replies;
using AegisKV.Core.Sharding;

namespace AegisKV.Server.Resp;

/// <summary>
/// Sends a connection's commands to the shards that own their keys, through the connection's
/// <see cref="ReplyInbox"/> (which picks the shard actor or the region), and merges the answers
/// of multi-key and all-shard commands. Every request of a connection takes the same path to a
/// shard, so a connection's commands reach each shard in the order it sent them. Each key is
/// linearizable; a command spanning shards is not atomic across them.
/// </summary>
public sealed class CommandRouter
{
    private readonly int _shardCount;

    /// <summary>Creates a router for a key space of <paramref name="shardCount"/> shards.</summary>
    public CommandRouter(int shardCount) => _shardCount = shardCount;

    /// <summary>Number of shards in the key space.</summary>
    public int ShardCount => _shardCount;

    /// <summary>The shard owning <paramref name="key"/>.</summary>
    public int ShardOf(byte[] key) => KeySlots.ShardOf(key, _shardCount);

    /// <summary>The shard owning hash slot <paramref name="slot"/>.</summary>
    public int ShardOfSlot(int slot) => KeySlots.ShardOfSlot(slot, _shardCount);

    /// <summary>Runs one command on one shard.</summary>
    internal static async Task<Reply> ShardAsync(ReplyInbox inbox, int shard, CommandId command, byte[][] shardArguments) =>
        (await inbox.SendAsync(shard, [new ShardCommand(command, shardArguments)]).ConfigureAwait(false))[0];

    /// <summary>Runs MGET, MSET, DEL, UNLINK or EXISTS: keys are grouped per shard, answers merged in key order.</summary>
    internal Task<Reply> MultiKeyAsync(ReplyInbox inbox, CommandId command, byte[][] arguments, int step)
    {
        var pairs = (arguments.Length - 1) / step;
        var firstShard = ShardOf(arguments[1]);
        var shardOfPair = new int[pairs];
        var singleShard = true;
        for (var i = 0; i < pairs; i++)
        {
            shardOfPair[i] = i == 0 ? firstShard : ShardOf(arguments[1 + i * step]);
            singleShard &= shardOfPair[i] == firstShard;
        }

        if (singleShard) return ShardAsync(inbox, firstShard, command, arguments[1..]);
        return FanOutAsync(inbox, command, arguments, step, shardOfPair);
    }

    /// <summary>Runs a command on every shard and returns the answers in shard order.</summary>
    internal Task<Reply[]> AllShardsAsync(ReplyInbox inbox, CommandId command, byte[][] shardArguments)
    {
        var asks = new Task<Reply>[_shardCount];
        for (var shard = 0; shard < _shardCount; shard++) asks[shard] = ShardAsync(inbox, shard, command, shardArguments);
        return Task.WhenAll(asks);
    }

    private static async Task<Reply> FanOutAsync(ReplyInbox inbox, CommandId command, byte[][] arguments, int step, int[] shardOfPair)
    {
        var byShard = new Dictionary<int, List<int>>();
        for (var i = 0; i < shardOfPair.Length; i++)
        {
            if (!byShard.TryGetValue(shardOfPair[i], out var list)) byShard[shardOfPair[i]] = list = [];
            list.Add(i);
        }

        // Every part is sent before the first await, so they leave in the connection's order.
        var shards = new List<(List<int> Pairs, Task<Reply> Ask)>(byShard.Count);
        var asks = new Task[byShard.Count];
        foreach (var (shard, list) in byShard)
        {
            var shardArguments = new byte[list.Count * step][];
            for (var j = 0; j < list.Count; j++)
                for (var k = 0; k < step; k++) shardArguments[j * step + k] = arguments[1 + list[j] * step + k];
            var ask = ShardAsync(inbox, shard, command, shardArguments);
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
}
