using System.Collections.Concurrent;
using AegisKV.Core.Replies;

namespace AegisKV.Core.Scripting;

/// <summary>
/// The scripts running on a node's shards. A script that runs past the time limit makes its shard answer -BUSY to
/// other commands, as Redis does, until it ends; SCRIPT KILL stops a script that has not written, at its next check.
/// </summary>
public sealed class ScriptMonitor(TimeSpan timeLimit)
{
    private static readonly ErrorReply NotBusy = Errors.Text("NOTBUSY No scripts in execution right now.");
    private static readonly ErrorReply Unkillable = Errors.Text(
        "UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.");

    private readonly ConcurrentDictionary<int, RunningScript> _running = new();

    /// <summary>How long a script runs before its shard answers -BUSY.</summary>
    public TimeSpan TimeLimit { get; } = timeLimit;

    /// <summary>The reply other commands of a busy shard get.</summary>
    public static ErrorReply Busy { get; } = Errors.Text("BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.");

    /// <summary>Records that shard <paramref name="shardId"/> starts a script.</summary>
    public RunningScript Begin(int shardId)
    {
        var script = new RunningScript(Environment.TickCount64);
        _running[shardId] = script;
        return script;
    }

    /// <summary>Records that the script of shard <paramref name="shardId"/> ended.</summary>
    public void End(int shardId) => _running.TryRemove(shardId, out _);

    /// <summary>True when shard <paramref name="shardId"/> runs a script past the time limit.</summary>
    public bool IsBusy(int shardId) => _running.TryGetValue(shardId, out var script) && script.Busy;

    /// <summary>SCRIPT KILL: asks every script past the time limit to stop; the reply Redis gives.</summary>
    public Reply Kill()
    {
        var busy = false;
        foreach (var (_, script) in _running)
        {
            if (!script.Busy) continue;
            if (script.Wrote) return Unkillable;
            script.KillRequested = true;
            busy = true;
        }

        return busy ? Reply.Ok : NotBusy;
    }
}

/// <summary>One running script: when it started, whether it wrote, whether it is past the limit or asked to stop.</summary>
public sealed class RunningScript(long startedAt)
{
    private volatile bool _busy;
    private volatile bool _wrote;
    private volatile bool _killRequested;

    /// <summary><see cref="Environment.TickCount64"/> at its start.</summary>
    public long StartedAt { get; } = startedAt;

    /// <summary>Past the time limit: its shard answers -BUSY.</summary>
    public bool Busy
    {
        get => _busy;
        set => _busy = value;
    }

    /// <summary>It ran a write command: SCRIPT KILL may no longer stop it.</summary>
    public bool Wrote
    {
        get => _wrote;
        set => _wrote = value;
    }

    /// <summary>SCRIPT KILL asked it to stop.</summary>
    public bool KillRequested
    {
        get => _killRequested;
        set => _killRequested = value;
    }
}
