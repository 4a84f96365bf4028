using System.Text;
using AegisKV.Core.Commands;
using AegisKV.Core.Replies;
using AegisKV.Core.Sharding;
using AegisKV.Scripting;

namespace AegisKV.Server.Resp;

// EVAL, EVALSHA, their _RO forms and SCRIPT. A script runs on the shard owning its keys (all in one slot, as Redis
// Cluster requires), which gets the body with its SHA1: the node that runs it need not have seen it before.
internal sealed partial class ClientSession
{
    private static readonly ErrorReply NoScript = Errors.Text("NOSCRIPT No matching script. Please use EVAL.");

    private Task<Reply> EvalAsync(CommandSpec spec, byte[][] arguments)
    {
        if (ScriptCommand(spec, arguments, out var shard) is not { } command) return Task.FromResult(ScriptRefusal(spec, arguments) ?? NoScript);
        if (_node.ScriptMonitor.IsBusy(shard)) return Task.FromResult<Reply>(Core.Scripting.ScriptMonitor.Busy);
        return CommandRouter.ShardAsync(_inbox, shard, command.Command, command.Arguments);
    }

    // What the shard runs for an EVAL line: EVAL or EVAL_RO with sha, body, numkeys, keys…, arguments…; null when refused.
    private ShardCommand? ScriptCommand(CommandSpec spec, byte[][] arguments, out int shard)
    {
        shard = 0;
        if (ScriptRefusal(spec, arguments) is not null) return null;
        byte[] body;
        string sha;
        if (spec.Id is CommandId.Eval or CommandId.EvalRo)
        {
            body = arguments[1];
            sha = _node.Scripts.Add(body);
        }
        else
        {
            sha = Encoding.ASCII.GetString(arguments[1]).ToLowerInvariant();
            if (!_node.Scripts.TryGet(sha, out body)) return null;
        }

        Core.Commands.CommandKeys.Find(spec, arguments, out var first, out _, out _);
        shard = _node.Router.ShardOf(first > 0 ? arguments[first] : []);
        var readOnly = spec.Id is CommandId.EvalRo or CommandId.EvalShaRo;
        return new ShardCommand(readOnly ? CommandId.EvalRo : CommandId.Eval, [Encoding.ASCII.GetBytes(sha), body, .. arguments[2..]]);
    }

    // Why an EVAL line is refused before it reaches a shard; null when it is not.
    private Reply? ScriptRefusal(CommandSpec spec, byte[][] arguments)
    {
        if (Core.State.IntegerText.TryParse(arguments[2], out var count) && count < 0) return Errors.Text("ERR Number of keys can't be negative");
        if (Core.Commands.CommandKeys.Find(spec, arguments, out var first, out var last, out _) is { } badKeys)
            return badKeys.Message.AsSpan().StartsWith("ERR Number"u8) ? Errors.Text("ERR Number of keys can't be greater than number of args") : badKeys;
        for (var i = first + 1; first > 0 && i <= last; i++)
            if (KeySlots.SlotOf(arguments[i]) != KeySlots.SlotOf(arguments[first])) return CrossSlot;
        if (spec.Id is CommandId.EvalSha or CommandId.EvalShaRo && !_node.Scripts.Contains(Encoding.ASCII.GetString(arguments[1]))) return NoScript;
        return null;
    }

    // SCRIPT LOAD | EXISTS | FLUSH | KILL | HELP
    private Reply Script(byte[][] arguments)
    {
        var sub = Encoding.ASCII.GetString(arguments[1]).ToUpperInvariant();
        switch (sub)
        {
            case "LOAD" when arguments.Length == 3:
                return new BulkReply(Encoding.ASCII.GetBytes(_node.Scripts.Add(arguments[2])));
            case "EXISTS" when arguments.Length >= 3:
                var known = new Reply[arguments.Length - 2];
                for (var i = 2; i < arguments.Length; i++) known[i - 2] = _node.Scripts.Contains(Encoding.ASCII.GetString(arguments[i])) ? Reply.One : Reply.Zero;
                return new ArrayReply(known);
            case "FLUSH" when arguments.Length <= 3:
                if (arguments.Length == 3 && !Ascii.EqualsIgnoreCase(arguments[2], "ASYNC"u8) && !Ascii.EqualsIgnoreCase(arguments[2], "SYNC"u8)) return Errors.Syntax;
                _node.Scripts.Clear();
                return Reply.Ok;
            case "KILL" when arguments.Length == 2:
                return _node.ScriptMonitor.Kill();
            case "HELP" when arguments.Length == 2:
                return new ArrayReply([.. new[]
                {
                    "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                    "EXISTS <sha1> [<sha1> ...]", "FLUSH [ASYNC|SYNC]", "KILL", "LOAD <script>", "HELP",
                }.Select(line => (Reply)new SimpleReply(Encoding.ASCII.GetBytes(line)))]);
            default:
                return Errors.UnknownSubcommand(arguments[1], "SCRIPT");
        }
    }
}
