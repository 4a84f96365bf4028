using System.Text;
using AegisKV.Core.Replies;
using AegisKV.Core.Sharding;

namespace AegisKV.Server.Resp;

// CLUSTER: the hash-slot questions a client can ask of any node.
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
}
