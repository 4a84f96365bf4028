using System.Collections.Frozen;
using static AegisKV.Core.Commands.CommandFlags;
using static AegisKV.Core.Commands.CommandRouting;

namespace AegisKV.Core.Commands;

/// <summary>
/// The commands AegisKV understands, looked up by name without allocating.
/// </summary>
public static class CommandTable
{
    private const int MaxNameLength = 32;

    /// <summary>Every command, in the order COMMAND lists them.</summary>
    public static IReadOnlyList<CommandSpec> All { get; } =
    [
        new("PING", CommandId.Ping, -1, Fast, Connection, 0, 0, 0),
        new("ECHO", CommandId.Echo, 2, Fast, Connection, 0, 0, 0),
        new("QUIT", CommandId.Quit, -1, Fast | NoAuth, Connection, 0, 0, 0),
        new("AUTH", CommandId.Auth, -2, Fast | NoAuth, Connection, 0, 0, 0),
        new("HELLO", CommandId.Hello, -1, Fast | NoAuth, Connection, 0, 0, 0),
        new("SELECT", CommandId.Select, 2, Fast, Connection, 0, 0, 0),
        new("CLIENT", CommandId.Client, -2, None, Connection, 0, 0, 0),
        new("COMMAND", CommandId.Command, -1, None, Connection, 0, 0, 0),
        new("INFO", CommandId.Info, -1, None, Connection, 0, 0, 0),
        new("TIME", CommandId.Time, 1, Fast, Connection, 0, 0, 0),
        new("CONFIG", CommandId.Config, -2, None, Connection, 0, 0, 0),
        new("CLUSTER", CommandId.Cluster, -2, None, Connection, 0, 0, 0),
        new("MONITOR", CommandId.Monitor, 1, None, Connection, 0, 0, 0),
        new("SLOWLOG", CommandId.SlowLog, -2, None, Connection, 0, 0, 0),
        new("FUNCTION", CommandId.Function, -2, None, Connection, 0, 0, 0),
        new("MULTI", CommandId.Multi, 1, Fast, Connection, 0, 0, 0),
        new("EXEC", CommandId.Exec, 1, None, Connection, 0, 0, 0),
        new("DISCARD", CommandId.Discard, 1, Fast, Connection, 0, 0, 0),
        new("WATCH", CommandId.Watch, -2, Fast, Connection, 1, -1, 1),
        new("UNWATCH", CommandId.Unwatch, 1, Fast, Connection, 0, 0, 0),
        new("DBSIZE", CommandId.DbSize, 1, ReadOnly | Fast, AllShards, 0, 0, 0),
        new("RANDOMKEY", CommandId.RandomKey, 1, ReadOnly, AllShards, 0, 0, 0),
        new("KEYS", CommandId.Keys, 2, ReadOnly, AllShards, 0, 0, 0),
        new("SCAN", CommandId.Scan, -2, ReadOnly, AllShards, 0, 0, 0),
        new("FLUSHALL", CommandId.FlushAll, -1, Write, AllShards, 0, 0, 0),
        new("FLUSHDB", CommandId.FlushDb, -1, Write, AllShards, 0, 0, 0),
        new("GET", CommandId.Get, 2, ReadOnly | Fast, SingleKey, 1, 1, 1),
        new("SET", CommandId.Set, -3, Write | DenyOom, SingleKey, 1, 1, 1),
        new("SETNX", CommandId.SetNx, 3, Write | DenyOom | Fast, SingleKey, 1, 1, 1),
        new("SETEX", CommandId.SetEx, 4, Write | DenyOom, SingleKey, 1, 1, 1),
        new("PSETEX", CommandId.PSetEx, 4, Write | DenyOom, SingleKey, 1, 1, 1),
        new("GETSET", CommandId.GetSet, 3, Write | DenyOom | Fast, SingleKey, 1, 1, 1),
        new("GETDEL", CommandId.GetDel, 2, Write | Fast, SingleKey, 1, 1, 1),
        new("GETEX", CommandId.GetEx, -2, Write | Fast, SingleKey, 1, 1, 1),
        new("MGET", CommandId.MGet, -2, ReadOnly | Fast, MultiKey, 1, -1, 1),
        new("MSET", CommandId.MSet, -3, Write | DenyOom, MultiKey, 1, -1, 2),
        new("MSETNX", CommandId.MSetNx, -3, Write | DenyOom, SameShard, 1, -1, 2),
        new("RENAME", CommandId.Rename, 3, Write, SameShard, 1, 2, 1),
        new("RENAMENX", CommandId.RenameNx, 3, Write | Fast, SameShard, 1, 2, 1),
        new("COPY", CommandId.Copy, -3, Write | DenyOom, SameShard, 1, 2, 1),
        new("DEL", CommandId.Del, -2, Write, MultiKey, 1, -1, 1),
        new("UNLINK", CommandId.Unlink, -2, Write | Fast, MultiKey, 1, -1, 1),
        new("EXISTS", CommandId.Exists, -2, ReadOnly | Fast, MultiKey, 1, -1, 1),
        new("TOUCH", CommandId.Touch, -2, ReadOnly | Fast, MultiKey, 1, -1, 1),
        new("INCR", CommandId.Incr, 2, Write | DenyOom | Fast, SingleKey, 1, 1, 1),
        new("DECR", CommandId.Decr, 2, Write | DenyOom | Fast, SingleKey, 1, 1, 1),
        new("INCRBY", CommandId.IncrBy, 3, Write | DenyOom | Fast, SingleKey, 1, 1, 1),
        new("DECRBY", CommandId.DecrBy, 3, Write | DenyOom | Fast, SingleKey, 1, 1, 1),
        new("APPEND", CommandId.Append, 3, Write | DenyOom | Fast, SingleKey, 1, 1, 1),
        new("STRLEN", CommandId.StrLen, 2, ReadOnly | Fast, SingleKey, 1, 1, 1),
        new("GETRANGE", CommandId.GetRange, 4, ReadOnly, SingleKey, 1, 1, 1),
        new("SUBSTR", CommandId.SubStr, 4, ReadOnly, SingleKey, 1, 1, 1),
        new("SETRANGE", CommandId.SetRange, 4, Write | DenyOom, SingleKey, 1, 1, 1),
        new("INCRBYFLOAT", CommandId.IncrByFloat, 3, Write | DenyOom | Fast, SingleKey, 1, 1, 1),
        new("SETBIT", CommandId.SetBit, 4, Write | DenyOom, SingleKey, 1, 1, 1),
        new("GETBIT", CommandId.GetBit, 3, ReadOnly | Fast, SingleKey, 1, 1, 1),
        new("BITCOUNT", CommandId.BitCount, -2, ReadOnly, SingleKey, 1, 1, 1),
        new("BITPOS", CommandId.BitPos, -3, ReadOnly, SingleKey, 1, 1, 1),
        new("BITFIELD", CommandId.BitField, -2, Write | DenyOom, SingleKey, 1, 1, 1),
        new("BITFIELD_RO", CommandId.BitFieldRo, -2, ReadOnly | Fast, SingleKey, 1, 1, 1),
        new("LCS", CommandId.Lcs, -3, ReadOnly, SameShard, 1, 2, 1),
        new("EXPIRE", CommandId.Expire, -3, Write | Fast, SingleKey, 1, 1, 1),
        new("PEXPIRE", CommandId.PExpire, -3, Write | Fast, SingleKey, 1, 1, 1),
        new("EXPIREAT", CommandId.ExpireAt, -3, Write | Fast, SingleKey, 1, 1, 1),
        new("PEXPIREAT", CommandId.PExpireAt, -3, Write | Fast, SingleKey, 1, 1, 1),
        new("TTL", CommandId.Ttl, 2, ReadOnly | Fast, SingleKey, 1, 1, 1),
        new("PTTL", CommandId.PTtl, 2, ReadOnly | Fast, SingleKey, 1, 1, 1),
        new("EXPIRETIME", CommandId.ExpireTime, 2, ReadOnly | Fast, SingleKey, 1, 1, 1),
        new("PEXPIRETIME", CommandId.PExpireTime, 2, ReadOnly | Fast, SingleKey, 1, 1, 1),
        new("PERSIST", CommandId.Persist, 2, Write | Fast, SingleKey, 1, 1, 1),
        new("TYPE", CommandId.Type, 2, ReadOnly | Fast, SingleKey, 1, 1, 1),
        new("DUMP", CommandId.Dump, 2, ReadOnly, SingleKey, 1, 1, 1),
        // The key is the second argument: the connection sends these to its shard itself.
        new("OBJECT", CommandId.Object, -2, ReadOnly, Connection, 2, 2, 1),
        new("MEMORY", CommandId.Memory, -2, ReadOnly, Connection, 2, 2, 1),
        new("RESTORE", CommandId.Restore, -4, Write | DenyOom, SingleKey, 1, 1, 1),
        new("HSET", CommandId.HSet, -4, Write | DenyOom | Fast, SingleKey, 1, 1, 1),
        new("HMSET", CommandId.HMSet, -4, Write | DenyOom | Fast, SingleKey, 1, 1, 1),
        new("HSETNX", CommandId.HSetNx, 4, Write | DenyOom | Fast, SingleKey, 1, 1, 1),
        new("HGET", CommandId.HGet, 3, ReadOnly | Fast, SingleKey, 1, 1, 1),
        new("HMGET", CommandId.HMGet, -3, ReadOnly | Fast, SingleKey, 1, 1, 1),
        new("HGETALL", CommandId.HGetAll, 2, ReadOnly, SingleKey, 1, 1, 1),
        new("HDEL", CommandId.HDel, -3, Write | Fast, SingleKey, 1, 1, 1),
        new("HEXISTS", CommandId.HExists, 3, ReadOnly | Fast, SingleKey, 1, 1, 1),
        new("HLEN", CommandId.HLen, 2, ReadOnly | Fast, SingleKey, 1, 1, 1),
        new("HSTRLEN", CommandId.HStrLen, 3, ReadOnly | Fast, SingleKey, 1, 1, 1),
        new("HKEYS", CommandId.HKeys, 2, ReadOnly, SingleKey, 1, 1, 1),
        new("HVALS", CommandId.HVals, 2, ReadOnly, SingleKey, 1, 1, 1),
        new("HINCRBY", CommandId.HIncrBy, 4, Write | DenyOom | Fast, SingleKey, 1, 1, 1),
        new("HINCRBYFLOAT", CommandId.HIncrByFloat, 4, Write | DenyOom | Fast, SingleKey, 1, 1, 1),
        new("HRANDFIELD", CommandId.HRandField, -2, ReadOnly, SingleKey, 1, 1, 1),
        new("HSCAN", CommandId.HScan, -3, ReadOnly, SingleKey, 1, 1, 1),
        new("HEXPIRE", CommandId.HExpire, -6, Write | Fast, SingleKey, 1, 1, 1),
        new("HPEXPIRE", CommandId.HPExpire, -6, Write | Fast, SingleKey, 1, 1, 1),
        new("HEXPIREAT", CommandId.HExpireAt, -6, Write | Fast, SingleKey, 1, 1, 1),
        new("HPEXPIREAT", CommandId.HPExpireAt, -6, Write | Fast, SingleKey, 1, 1, 1),
        new("HTTL", CommandId.HTtl, -5, ReadOnly | Fast, SingleKey, 1, 1, 1),
        new("HPTTL", CommandId.HPTtl, -5, ReadOnly | Fast, SingleKey, 1, 1, 1),
        new("HEXPIRETIME", CommandId.HExpireTime, -5, ReadOnly | Fast, SingleKey, 1, 1, 1),
        new("HPEXPIRETIME", CommandId.HPExpireTime, -5, ReadOnly | Fast, SingleKey, 1, 1, 1),
        new("HPERSIST", CommandId.HPersist, -5, Write | Fast, SingleKey, 1, 1, 1),
        new("LPUSH", CommandId.LPush, -3, Write | DenyOom | Fast, SingleKey, 1, 1, 1),
        new("RPUSH", CommandId.RPush, -3, Write | DenyOom | Fast, SingleKey, 1, 1, 1),
        new("LPUSHX", CommandId.LPushX, -3, Write | DenyOom | Fast, SingleKey, 1, 1, 1),
        new("RPUSHX", CommandId.RPushX, -3, Write | DenyOom | Fast, SingleKey, 1, 1, 1),
        new("LPOP", CommandId.LPop, -2, Write | Fast, SingleKey, 1, 1, 1),
        new("RPOP", CommandId.RPop, -2, Write | Fast, SingleKey, 1, 1, 1),
        new("LLEN", CommandId.LLen, 2, ReadOnly | Fast, SingleKey, 1, 1, 1),
        new("LRANGE", CommandId.LRange, 4, ReadOnly, SingleKey, 1, 1, 1),
        new("LINDEX", CommandId.LIndex, 3, ReadOnly, SingleKey, 1, 1, 1),
        new("LSET", CommandId.LSet, 4, Write | DenyOom, SingleKey, 1, 1, 1),
        new("LREM", CommandId.LRem, 4, Write, SingleKey, 1, 1, 1),
        new("LTRIM", CommandId.LTrim, 4, Write, SingleKey, 1, 1, 1),
        new("LINSERT", CommandId.LInsert, 5, Write | DenyOom, SingleKey, 1, 1, 1),
        new("LPOS", CommandId.LPos, -3, ReadOnly, SingleKey, 1, 1, 1),
        new("LMOVE", CommandId.LMove, 5, Write | DenyOom, SameShard, 1, 2, 1),
        new("RPOPLPUSH", CommandId.RPopLPush, 3, Write | DenyOom, SameShard, 1, 2, 1),
        new("LMPOP", CommandId.LMPop, -4, Write, SameShard, 2, -1, 1, NumKeysAt: 1),
        new("BLPOP", CommandId.BLPop, -3, Write | Blocking, SameShard, 1, -2, 1),
        new("BRPOP", CommandId.BRPop, -3, Write | Blocking, SameShard, 1, -2, 1),
        new("BLMOVE", CommandId.BLMove, 6, Write | DenyOom | Blocking, SameShard, 1, 2, 1),
        new("BRPOPLPUSH", CommandId.BRPopLPush, 4, Write | DenyOom | Blocking, SameShard, 1, 2, 1),
        new("BLMPOP", CommandId.BLMPop, -5, Write | Blocking, SameShard, 3, -1, 1, NumKeysAt: 2),
        new("SUBSCRIBE", CommandId.Subscribe, -2, PubSub, Connection, 0, 0, 0),
        new("UNSUBSCRIBE", CommandId.Unsubscribe, -1, PubSub, Connection, 0, 0, 0),
        new("PSUBSCRIBE", CommandId.PSubscribe, -2, PubSub, Connection, 0, 0, 0),
        new("PUNSUBSCRIBE", CommandId.PUnsubscribe, -1, PubSub, Connection, 0, 0, 0),
        new("PUBLISH", CommandId.Publish, 3, PubSub | Fast, Connection, 0, 0, 0),
        new("PUBSUB", CommandId.PubSub, -2, PubSub, Connection, 0, 0, 0),
        // The shard channel stands where a key would, for its hash slot, as in Redis 7.
        new("SSUBSCRIBE", CommandId.SSubscribe, -2, PubSub, Connection, 1, -1, 1),
        new("SUNSUBSCRIBE", CommandId.SUnsubscribe, -1, PubSub, Connection, 1, -1, 1),
        new("SPUBLISH", CommandId.SPublish, 3, PubSub | Fast, Connection, 1, 1, 1),
        new("EVAL", CommandId.Eval, -3, Write | DenyOom, Script, 3, -1, 1, NumKeysAt: 2),
        new("EVALSHA", CommandId.EvalSha, -3, Write | DenyOom, Script, 3, -1, 1, NumKeysAt: 2),
        new("EVAL_RO", CommandId.EvalRo, -3, ReadOnly, Script, 3, -1, 1, NumKeysAt: 2),
        new("EVALSHA_RO", CommandId.EvalShaRo, -3, ReadOnly, Script, 3, -1, 1, NumKeysAt: 2),
        new("SCRIPT", CommandId.Script, -2, None, Connection, 0, 0, 0),
    ];

    /// <summary>The subcommands of container commands, lower case, as COMMAND LIST names them (<c>client|list</c>).</summary>
    public static IReadOnlyDictionary<CommandId, string[]> Subcommands { get; } = new Dictionary<CommandId, string[]>
    {
        [CommandId.Client] = ["getname", "help", "id", "info", "kill", "list", "no-evict", "no-touch", "reply", "setinfo", "setname"],
        [CommandId.Config] = ["get", "help", "resetstat", "set"],
        [CommandId.Command] = ["count", "docs", "getkeys", "getkeysandflags", "help", "info", "list"],
        [CommandId.SlowLog] = ["get", "help", "len", "reset"],
        [CommandId.Object] = ["encoding", "freq", "help", "idletime", "refcount"],
        [CommandId.Memory] = ["help", "usage"],
        [CommandId.Cluster] = ["help", "keyslot"],
        [CommandId.Function] = ["flush", "help", "list"],
        [CommandId.Script] = ["exists", "flush", "help", "kill", "load"],
        [CommandId.PubSub] = ["channels", "help", "numpat", "numsub", "shardchannels", "shardnumsub"],
    }.ToFrozenDictionary();

    private static readonly FrozenDictionary<string, CommandSpec>.AlternateLookup<ReadOnlySpan<char>> ByName =
        All.ToFrozenDictionary(c => c.Name, StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly CommandSpec?[] ById = BuildIdIndex();

    /// <summary>Finds a command by its name in any case; null when unknown.</summary>
    public static CommandSpec? Find(ReadOnlySpan<byte> name)
    {
        if (name.Length == 0 || name.Length > MaxNameLength) return null;
        Span<char> upper = stackalloc char[name.Length];
        for (var i = 0; i < name.Length; i++)
        {
            var b = name[i];
            upper[i] = (char)(b is >= (byte)'a' and <= (byte)'z' ? b - 32 : b);
        }

        return ByName.TryGetValue(upper, out var spec) ? spec : null;
    }

    /// <summary>The spec of a known command id.</summary>
    public static CommandSpec Get(CommandId id) =>
        ById[(int)id] ?? throw new ArgumentOutOfRangeException(nameof(id), id, "unknown command id");

    private static CommandSpec?[] BuildIdIndex()
    {
        var index = new CommandSpec?[256];
        foreach (var spec in All) index[(int)spec.Id] = spec;
        return index;
    }
}
