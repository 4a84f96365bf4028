using System.Security.Cryptography;
using System.Text;
using AegisKV.Core.Commands;
using AegisKV.Core.Replies;
using AegisKV.Core.Scripting;
using KeraLua;

namespace AegisKV.Scripting;

/// <summary>
/// One shard's Lua 5.4 interpreter: base, table, string, math and utf8 libraries only, Redis's API on top, scripts
/// compiled once per SHA1 and kept in the registry. A script runs as a coroutine, so the instruction-count hook can
/// stop it (SCRIPT KILL, the memory cap) by yielding, and a Lua error unwinds inside Lua, never through .NET frames.
/// </summary>
internal sealed class LuaRunner : IScriptRunner
{
    // Redis checks a running script this often, in virtual-machine instructions.
    private const int HookEvery = 100_000;

    // More compiled scripts than this and the interpreter starts afresh, so distinct EVAL bodies cannot fill it.
    private const int MaxCompiled = 1000;

    private readonly int _shardId;
    private readonly LuaScriptEngine _engine;
    private readonly LuaFunction _callFunction;
    private readonly LuaFunction _sha1Function;
    private readonly LuaHookFunction _hook;
    private Lua _lua = null!;
    private int _compiled;
    private Func<byte[][], Reply>? _call;
    private RunningScript? _running;
    private bool _readOnly;
    private string? _stopReason;
    // The line of the script running last: `return redis.call(…)` is a tail call, which leaves no frame of the script to ask.
    private int _line;

    public LuaRunner(int shardId, LuaScriptEngine engine)
    {
        _shardId = shardId;
        _engine = engine;
        // Kept in fields: the interpreter holds only pointers to them.
        _callFunction = Call;
        _sha1Function = Sha1;
        _hook = Hook;
        Start();
    }

    private void Start()
    {
        _lua = new Lua(openLibs: false);
        _lua.OpenBasicLibrary();
        _lua.OpenTableLibrary();
        _lua.OpenStringLibrary();
        _lua.OpenMathLibrary();
        _lua.OpenUTF8Library();
        _lua.SetTop(0);
        // Loaded stripped of line information: its functions make no line events, so the line hook sees only the script's.
        if (_lua.LoadString(ScriptApi.Bootstrap, "=aegis") != LuaStatus.OK) throw new InvalidOperationException(_lua.ToString(-1));
        _lua.GetGlobal("string");
        _lua.GetField(-1, "dump");
        _lua.Rotate(-2, -1);
        _lua.Pop(1);
        _lua.PushCopy(-2);
        _lua.PushBoolean(true);
        if (_lua.PCall(2, 1, 0) != LuaStatus.OK) throw new InvalidOperationException(_lua.ToString(-1));
        var stripped = _lua.ToBuffer(-1, false);
        _lua.SetTop(0);
        if (_lua.LoadBuffer(stripped, "=aegis") != LuaStatus.OK) throw new InvalidOperationException(_lua.ToString(-1));
        _lua.PushCFunction(_callFunction);
        _lua.PushCFunction(_sha1Function);
        if (_lua.PCall(2, 0, 0) != LuaStatus.OK) throw new InvalidOperationException(_lua.ToString(-1));
        _compiled = 0;
    }

    public Reply Run(ScriptInvocation script, Func<byte[][], Reply> call)
    {
        _call = call;
        _readOnly = script.ReadOnly;
        _stopReason = null;
        _running = _engine.Monitor.Begin(_shardId);
        try
        {
            return Execute(script);
        }
        finally
        {
            _engine.Monitor.End(_shardId);
            _running = null;
            _call = null;
            _lua.SetTop(0);
            if (_stopReason is not null || MemoryKb > _engine.MaxMemoryKb) Restart();
        }
    }

    private Reply Execute(ScriptInvocation script)
    {
        var name = "f_" + script.Sha;
        if (_lua.GetField(LuaRegistry.Index, name) != LuaType.Function)
        {
            _lua.Pop(1);
            if (_compiled >= MaxCompiled) Restart();
            if (_lua.LoadBuffer(script.Body, "@user_script") != LuaStatus.OK)
                return Errors.Text("ERR Error compiling script (new function): " + _lua.ToString(-1));
            _lua.PushCopy(-1);
            _lua.SetField((int)LuaRegistry.Index, name);
            _compiled++;
        }

        SetGlobal("KEYS", script.Keys);
        SetGlobal("ARGV", script.Arguments);
        var thread = _lua.NewThread();
        _lua.Rotate(-2, 1);
        _lua.XMove(thread, 1);
        _line = 0;
        thread.SetHook(_hook, LuaHookMask.Count | LuaHookMask.Line, HookEvery);
        while (true)
        {
            var status = thread.Resume(null, 0, out var results);
            if (status == LuaStatus.Yield && _stopReason is null)
            {
                thread.SetTop(0);
                continue;
            }

            if (_stopReason is not null) return Errors.Text($"ERR {_stopReason}{Where(thread, script.Sha)}");
            if (status == LuaStatus.OK) return results == 0 ? Reply.Nil : LuaValues.ToReply(thread, -results);
            return Failure(thread, script.Sha);
        }
    }

    // A raised error: a table from redis.call keeps its message, a string gets "ERR"; both say where, as Redis 7 does.
    private Reply Failure(Lua thread, string sha)
    {
        var where = Where(thread, sha);
        if (thread.Type(-1) == LuaType.Table && LuaValues.ToReply(thread, -1) is ErrorReply raised)
            return Errors.Text(Encoding.UTF8.GetString(raised.Message) + where);
        var message = thread.Type(-1) is LuaType.String or LuaType.Number ? thread.ToString(-1, false) : "an error object that is not a string";
        return Errors.Text("ERR " + message + where);
    }

    // " script: <sha>, on @user_script:<line>." with the line of the script the error came from.
    private string Where(Lua thread, string sha)
    {
        var line = _line;
        var debug = new LuaDebug();
        for (var level = 0; thread.GetStack(level, ref debug) != 0; level++)
        {
            thread.GetInfo("Sl", ref debug);
            if (debug.Source != "@user_script") continue;
            line = debug.CurrentLine;
            break;
        }

        return $" script: {sha}, on @user_script:{line}.";
    }

    private void SetGlobal(string name, byte[][] values)
    {
        _lua.RawGetInteger(LuaRegistry.Index, (long)LuaRegistryIndex.Globals);
        _lua.CreateTable(values.Length, 0);
        for (var i = 0; i < values.Length; i++)
        {
            _lua.PushBuffer(values[i]);
            _lua.RawSetInteger(-2, i + 1);
        }

        _lua.PushString(name);
        _lua.Rotate(-2, 1);
        _lua.RawSet(-3);
        _lua.Pop(1);
    }

    // redis.call and redis.pcall: (true, reply) or (false, {err = message}); the Lua side raises for redis.call.
    private int Call(IntPtr state)
    {
        var lua = Lua.FromIntPtr(state);
        var count = lua.GetTop();
        if (count == 0) return Refuse(lua, "ERR Please specify at least one argument for this redis lib call");
        var line = new byte[count][];
        for (var i = 0; i < count; i++)
            if ((line[i] = LuaValues.ToArgument(lua, i + 1)!) is null) return Refuse(lua, "ERR Lua redis lib command arguments must be strings or integers");
        var spec = CommandTable.Find(line[0]);
        if (spec is not null && _readOnly && (spec.Flags & CommandFlags.Write) != 0) return Refuse(lua, "ERR Write commands are not allowed from read-only scripts.");
        var reply = _call!(line);
        if (spec is not null && (spec.Flags & CommandFlags.Write) != 0 && reply is not ErrorReply) _running!.Wrote = true;
        lua.SetTop(0);
        lua.PushBoolean(reply is not ErrorReply);
        LuaValues.Push(lua, reply);
        return 2;
    }

    private static int Refuse(Lua lua, string message)
    {
        lua.SetTop(0);
        lua.PushBoolean(false);
        LuaValues.Push(lua, Errors.Text(message));
        return 2;
    }

    private static int Sha1(IntPtr state)
    {
        var lua = Lua.FromIntPtr(state);
        var text = lua.ToBuffer(1, false) ?? [];
        lua.PushString(Convert.ToHexStringLower(SHA1.HashData(text)));
        return 1;
    }

    // Every HookEvery instructions: past the limit the shard answers -BUSY; a kill or the memory cap stops the script.
    private void Hook(IntPtr state, IntPtr debug)
    {
        // Read in place rather than marshalled (which copies the whole lua_Debug for each line): `event` is its first
        // field, `currentline` follows five pointer-sized ones (name, namewhat, what, source, srclen).
        if ((LuaHookEvent)System.Runtime.InteropServices.Marshal.ReadInt32(debug) == LuaHookEvent.Line)
        {
            var line = System.Runtime.InteropServices.Marshal.ReadInt32(debug, 6 * IntPtr.Size);
            if (line > 0) _line = line;
            return;
        }

        var running = _running;
        if (running is null) return;
        if (!running.Busy && Environment.TickCount64 - running.StartedAt > (long)_engine.Monitor.TimeLimit.TotalMilliseconds) running.Busy = true;
        if (running.KillRequested) _stopReason = "Script killed by user with SCRIPT KILL...";
        else if (MemoryKb > _engine.MaxMemoryKb) _stopReason = $"Script used more than the {_engine.MaxMemoryKb / 1024} MB a script may (aegis.script-max-memory)";
        else return;
        Lua.FromIntPtr(state).Yield(0);
    }

    private long MemoryKb => _lua.GarbageCollector(LuaGC.Count, 0);

    private void Restart()
    {
        _lua.Dispose();
        Start();
    }

    public void Dispose() => _lua.Dispose();
}
