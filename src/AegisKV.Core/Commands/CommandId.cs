namespace AegisKV.Core.Commands;

/// <summary>
/// Identifies a command. The numeric values cross the wire inside shard requests:
/// never change, reuse, or reorder an existing value; add new ones at the end.
/// </summary>
public enum CommandId : byte
{
    /// <summary>Not a known command.</summary>
    None = 0,
    /// <summary>PING.</summary>
    Ping = 1,
    /// <summary>ECHO.</summary>
    Echo = 2,
    /// <summary>QUIT.</summary>
    Quit = 3,
    /// <summary>AUTH.</summary>
    Auth = 4,
    /// <summary>HELLO.</summary>
    Hello = 5,
    /// <summary>SELECT.</summary>
    Select = 6,
    /// <summary>CLIENT.</summary>
    Client = 7,
    /// <summary>COMMAND.</summary>
    Command = 8,
    /// <summary>INFO.</summary>
    Info = 9,
    /// <summary>TIME.</summary>
    Time = 10,
    /// <summary>CONFIG.</summary>
    Config = 11,
    /// <summary>DBSIZE.</summary>
    DbSize = 12,
    /// <summary>KEYS.</summary>
    Keys = 13,
    /// <summary>SCAN.</summary>
    Scan = 14,
    /// <summary>FLUSHALL.</summary>
    FlushAll = 15,
    /// <summary>GET.</summary>
    Get = 16,
    /// <summary>SET.</summary>
    Set = 17,
    /// <summary>SETNX.</summary>
    SetNx = 18,
    /// <summary>SETEX.</summary>
    SetEx = 19,
    /// <summary>PSETEX.</summary>
    PSetEx = 20,
    /// <summary>GETSET.</summary>
    GetSet = 21,
    /// <summary>GETDEL.</summary>
    GetDel = 22,
    /// <summary>GETEX.</summary>
    GetEx = 23,
    /// <summary>MGET.</summary>
    MGet = 24,
    /// <summary>MSET.</summary>
    MSet = 25,
    /// <summary>DEL.</summary>
    Del = 26,
    /// <summary>UNLINK.</summary>
    Unlink = 27,
    /// <summary>EXISTS.</summary>
    Exists = 28,
    /// <summary>INCR.</summary>
    Incr = 29,
    /// <summary>DECR.</summary>
    Decr = 30,
    /// <summary>INCRBY.</summary>
    IncrBy = 31,
    /// <summary>DECRBY.</summary>
    DecrBy = 32,
    /// <summary>APPEND.</summary>
    Append = 33,
    /// <summary>STRLEN.</summary>
    StrLen = 34,
    /// <summary>EXPIRE.</summary>
    Expire = 35,
    /// <summary>PEXPIRE.</summary>
    PExpire = 36,
    /// <summary>EXPIREAT.</summary>
    ExpireAt = 37,
    /// <summary>PEXPIREAT.</summary>
    PExpireAt = 38,
    /// <summary>TTL.</summary>
    Ttl = 39,
    /// <summary>PTTL.</summary>
    PTtl = 40,
    /// <summary>PERSIST.</summary>
    Persist = 41,
    /// <summary>TYPE.</summary>
    Type = 42,
    /// <summary>FLUSHDB (same as FLUSHALL: there is one database).</summary>
    FlushDb = 43,
    /// <summary>MULTI.</summary>
    Multi = 44,
    /// <summary>EXEC.</summary>
    Exec = 45,
    /// <summary>DISCARD.</summary>
    Discard = 46,
    /// <summary>WATCH.</summary>
    Watch = 47,
    /// <summary>UNWATCH.</summary>
    Unwatch = 48,
    /// <summary>GETRANGE.</summary>
    GetRange = 49,
    /// <summary>SUBSTR (GETRANGE under its old name).</summary>
    SubStr = 50,
    /// <summary>SETRANGE.</summary>
    SetRange = 51,
    /// <summary>INCRBYFLOAT.</summary>
    IncrByFloat = 52,
    /// <summary>MSETNX.</summary>
    MSetNx = 53,
    /// <summary>RENAME.</summary>
    Rename = 54,
    /// <summary>RENAMENX.</summary>
    RenameNx = 55,
    /// <summary>CLUSTER.</summary>
    Cluster = 56,
    /// <summary>HSET.</summary>
    HSet = 57,
    /// <summary>HSETNX.</summary>
    HSetNx = 58,
    /// <summary>HGET.</summary>
    HGet = 59,
    /// <summary>HMGET.</summary>
    HMGet = 60,
    /// <summary>HGETALL.</summary>
    HGetAll = 61,
    /// <summary>HDEL.</summary>
    HDel = 62,
    /// <summary>HEXISTS.</summary>
    HExists = 63,
    /// <summary>HLEN.</summary>
    HLen = 64,
    /// <summary>HSTRLEN.</summary>
    HStrLen = 65,
    /// <summary>HKEYS.</summary>
    HKeys = 66,
    /// <summary>HVALS.</summary>
    HVals = 67,
    /// <summary>HINCRBY.</summary>
    HIncrBy = 68,
    /// <summary>HINCRBYFLOAT.</summary>
    HIncrByFloat = 69,
    /// <summary>HRANDFIELD.</summary>
    HRandField = 70,
    /// <summary>HSCAN.</summary>
    HScan = 71,
    /// <summary>HEXPIRE.</summary>
    HExpire = 72,
    /// <summary>HPEXPIRE.</summary>
    HPExpire = 73,
    /// <summary>HEXPIREAT.</summary>
    HExpireAt = 74,
    /// <summary>HPEXPIREAT.</summary>
    HPExpireAt = 75,
    /// <summary>HTTL.</summary>
    HTtl = 76,
    /// <summary>HPTTL.</summary>
    HPTtl = 77,
    /// <summary>HPERSIST.</summary>
    HPersist = 78,
    /// <summary>HEXPIRETIME.</summary>
    HExpireTime = 79,
    /// <summary>HPEXPIRETIME.</summary>
    HPExpireTime = 80,
    /// <summary>HMSET.</summary>
    HMSet = 81,
    /// <summary>DUMP.</summary>
    Dump = 82,
    /// <summary>RESTORE.</summary>
    Restore = 83,
    /// <summary>MONITOR.</summary>
    Monitor = 84,
    /// <summary>SLOWLOG.</summary>
    SlowLog = 85,
    /// <summary>FUNCTION.</summary>
    Function = 86,
    /// <summary>OBJECT.</summary>
    Object = 87,
    /// <summary>MEMORY.</summary>
    Memory = 88,
    /// <summary>SETBIT.</summary>
    SetBit = 89,
    /// <summary>GETBIT.</summary>
    GetBit = 90,
    /// <summary>BITCOUNT.</summary>
    BitCount = 91,
    /// <summary>BITPOS.</summary>
    BitPos = 92,
    /// <summary>BITFIELD.</summary>
    BitField = 93,
    /// <summary>BITFIELD_RO.</summary>
    BitFieldRo = 94,
    /// <summary>LCS.</summary>
    Lcs = 95,
    /// <summary>COPY.</summary>
    Copy = 96,
    /// <summary>RANDOMKEY.</summary>
    RandomKey = 97,
    /// <summary>EXPIRETIME.</summary>
    ExpireTime = 98,
    /// <summary>PEXPIRETIME.</summary>
    PExpireTime = 99,
    /// <summary>TOUCH.</summary>
    Touch = 100,
    /// <summary>LPUSH.</summary>
    LPush = 101,
    /// <summary>RPUSH.</summary>
    RPush = 102,
    /// <summary>LPUSHX.</summary>
    LPushX = 103,
    /// <summary>RPUSHX.</summary>
    RPushX = 104,
    /// <summary>LPOP.</summary>
    LPop = 105,
    /// <summary>RPOP.</summary>
    RPop = 106,
    /// <summary>LLEN.</summary>
    LLen = 107,
    /// <summary>LRANGE.</summary>
    LRange = 108,
    /// <summary>LINDEX.</summary>
    LIndex = 109,
    /// <summary>LSET.</summary>
    LSet = 110,
    /// <summary>LREM.</summary>
    LRem = 111,
    /// <summary>LTRIM.</summary>
    LTrim = 112,
    /// <summary>LINSERT.</summary>
    LInsert = 113,
    /// <summary>LPOS.</summary>
    LPos = 114,
    /// <summary>LMOVE.</summary>
    LMove = 115,
    /// <summary>RPOPLPUSH.</summary>
    RPopLPush = 116,
    /// <summary>LMPOP.</summary>
    LMPop = 117,
    /// <summary>BLPOP.</summary>
    BLPop = 118,
    /// <summary>BRPOP.</summary>
    BRPop = 119,
    /// <summary>BLMOVE.</summary>
    BLMove = 120,
    /// <summary>BRPOPLPUSH.</summary>
    BRPopLPush = 121,
    /// <summary>BLMPOP.</summary>
    BLMPop = 122,
    /// <summary>SUBSCRIBE.</summary>
    Subscribe = 123,
    /// <summary>UNSUBSCRIBE.</summary>
    Unsubscribe = 124,
    /// <summary>PSUBSCRIBE.</summary>
    PSubscribe = 125,
    /// <summary>PUNSUBSCRIBE.</summary>
    PUnsubscribe = 126,
    /// <summary>PUBLISH.</summary>
    Publish = 127,
    /// <summary>PUBSUB.</summary>
    PubSub = 128,
    /// <summary>SSUBSCRIBE.</summary>
    SSubscribe = 129,
    /// <summary>SUNSUBSCRIBE.</summary>
    SUnsubscribe = 130,
    /// <summary>SPUBLISH.</summary>
    SPublish = 131,
    /// <summary>EVAL.</summary>
    Eval = 132,
    /// <summary>EVALSHA.</summary>
    EvalSha = 133,
    /// <summary>EVAL_RO.</summary>
    EvalRo = 134,
    /// <summary>EVALSHA_RO.</summary>
    EvalShaRo = 135,
    /// <summary>SCRIPT.</summary>
    Script = 136,
}
