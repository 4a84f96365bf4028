using AegisKV.Core.Scripting;

namespace AegisKV.Scripting;

/// <summary>
/// EVAL's engine: a Lua 5.4 interpreter per shard (KeraLua), Redis's scripting API, a time limit after which the
/// shard answers -BUSY and SCRIPT KILL may stop a script that has not written, and a memory cap per interpreter.
/// </summary>
public sealed class LuaScriptEngine : IScriptEngine
{
    /// <summary>Creates the engine with the time limit and the memory cap of one interpreter.</summary>
    public LuaScriptEngine(TimeSpan timeLimit, long maxMemoryBytes)
    {
        Monitor = new ScriptMonitor(timeLimit);
        MaxMemoryKb = Math.Max(1, maxMemoryBytes / 1024);
    }

    /// <inheritdoc />
    public ScriptMonitor Monitor { get; }

    /// <summary>Kilobytes one interpreter may hold; a script that passes it is stopped.</summary>
    public long MaxMemoryKb { get; }

    /// <inheritdoc />
    public IScriptRunner CreateRunner(int shardId) => new LuaRunner(shardId, this);
}
