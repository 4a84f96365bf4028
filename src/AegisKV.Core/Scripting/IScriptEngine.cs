using AegisKV.Core.Replies;

namespace AegisKV.Core.Scripting;

/// <summary>Makes the script runners of a node's shards: one interpreter each, reused for every script the shard runs.</summary>
public interface IScriptEngine
{
    /// <summary>Scripts running now on this node, for -BUSY and SCRIPT KILL.</summary>
    ScriptMonitor Monitor { get; }

    /// <summary>A runner for shard <paramref name="shardId"/>; it belongs to that shard's actor and is used on its thread only.</summary>
    IScriptRunner CreateRunner(int shardId);
}

/// <summary>Runs scripts for one shard, one at a time, on the shard actor's thread.</summary>
public interface IScriptRunner : IDisposable
{
    /// <summary>
    /// Runs <paramref name="script"/> to its end and returns its reply; every <c>redis.call</c> and <c>redis.pcall</c> goes to
    /// <paramref name="call"/> with the command line (name first), whose reply the script gets.
    /// </summary>
    Reply Run(ScriptInvocation script, Func<byte[][], Reply> call);
}

/// <summary>One EVAL: the script, its SHA1 (lower-case hex), KEYS and ARGV, and whether it is EVAL_RO.</summary>
public sealed record ScriptInvocation(byte[] Body, string Sha, byte[][] Keys, byte[][] Arguments, bool ReadOnly);
