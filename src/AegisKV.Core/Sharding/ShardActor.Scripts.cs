using AegisKV.Core.Commands;
using AegisKV.Core.Replies;
using AegisKV.Core.Scripting;
using AegisKV.Core.State;

namespace AegisKV.Core.Sharding;

// EVAL on the shard: the script runs on the shard's thread, so nothing else runs in between, and its redis.call
// commands run against this shard's map. Only what they changed is journaled, as one atomic write: replay and replicas
// apply the effects and never run the script again.
public sealed partial class ShardActor
{
    private static readonly ErrorReply UnknownFromScript = Errors.Text("ERR Unknown Redis command called from script");
    private static readonly ErrorReply ArityFromScript = Errors.Text("ERR Wrong number of args calling Redis command from script");
    private static readonly ErrorReply NotFromScript = Errors.Text("ERR This Redis command is not allowed from script");
    private static readonly ErrorReply NonLocalKey = Errors.Text("ERR Script attempted to access a non local key in a cluster node script");
    private static readonly ErrorReply NoScripting = Errors.Text("ERR scripting is not enabled on this node");

    private readonly IScriptEngine? _scripts;
    private IScriptRunner? _runner;
    private List<ShardState.Change>? _scriptUndo;

    // EVAL / EVAL_RO as the connection sends them: sha, body, numkeys, keys…, arguments…. The events go to _events.
    private Reply RunScript(CommandId command, byte[][] arguments, out ShardState.Change[]? undo)
    {
        undo = null;
        if (_scripts is null) return NoScripting;
        if (!IntegerText.TryParse(arguments[2], out var count) || count < 0 || count > arguments.Length - 3) return Errors.Text("ERR Number of keys can't be greater than number of args");
        var keys = arguments[3..(3 + (int)count)];
        var script = new ScriptInvocation(arguments[1], System.Text.Encoding.ASCII.GetString(arguments[0]), keys, arguments[(3 + (int)count)..],
            ReadOnly: command == CommandId.EvalRo);
        _runner ??= _scripts.CreateRunner(_shardId);
        _scriptUndo = [];
        try
        {
            var reply = _runner.Run(script, CallFromScript);
            undo = _scriptUndo.Count > 0 ? [.. _scriptUndo] : null;
            return reply;
        }
        finally
        {
            _scriptUndo = null;
        }
    }

    private Reply CallFromScript(byte[][] line)
    {
        if (CommandTable.Find(line[0]) is not { } spec) return UnknownFromScript;
        if (!spec.AcceptsArgumentCount(line.Length)) return ArityFromScript;
        switch (spec.Routing)
        {
            case CommandRouting.Connection when spec.Id == CommandId.Ping:
                return line.Length > 1 ? new BulkReply(line[1]) : new SimpleReply("PONG"u8.ToArray());
            case CommandRouting.Connection or CommandRouting.AllShards or CommandRouting.Script:
                return NotFromScript;
        }

        if (CommandKeys.Find(spec, line, out var first, out var last, out var step) is { } badKeys) return badKeys;
        if (spec.Routing == CommandRouting.SingleKey) last = first;
        for (var i = first; i <= last && i > 0; i += step)
            if (KeySlots.ShardOf(line[i], _settings.ShardCount) != _shardId) return NonLocalKey;
        var reply = _state.Execute(spec.Id, line[1..], NowMs(), _events);
        if (_state.TakeUndo() is { } changes) _scriptUndo!.AddRange(changes);
        return ReferenceEquals(reply, ShardState.Blocked) ? TimedOut(spec.Id) : reply;
    }

    private void StopScripts() => _runner?.Dispose();
}
