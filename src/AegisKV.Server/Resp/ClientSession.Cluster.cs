using System.Text;
using AegisKV.Core.Replies;
using AegisKV.Core.Sharding;

namespace AegisKV.Server.Resp;

// CLUSTER: the hash-slot questions a client can ask of any node; RANDOMKEY, which picks a shard first.
internal sealed partial class ClientSession
{
    private Reply Cluster(byte[][] arguments)
    {
        var sub = arguments[1];
        if (Ascii.EqualsIgnoreCase(sub, "KEYSLOT"u8))
            return arguments.Length == 3 ? Reply.Integer(KeySlots.SlotOf(arguments[2])) : Errors.WrongArity("cluster|keyslot");
        if (Ascii.EqualsIgnoreCase(sub, "HELP"u8))
            return new ArrayReply([Bulk("CLUSTER KEYSLOT <key>"), Bulk("    Return the hash slot for <key>.")]);
        return Errors.UnknownSubcommand(sub, "cluster");
    }

    // Shards are asked one at a time from a random one on, so an empty shard is skipped, not answered.
    private async Task<Reply> RandomKeyAsync()
    {
        var shards = _node.Router.ShardCount;
        var first = Random.Shared.Next(shards);
        for (var i = 0; i < shards; i++)
        {
            var reply = await CommandRouter.ShardAsync(_inbox, (first + i) % shards, AegisKV.Core.Commands.CommandId.RandomKey, []).ConfigureAwait(false);
            if (reply is not BulkReply { Value: null }) return reply;
        }

        return Reply.Nil;
    }
}
