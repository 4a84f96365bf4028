using AegisKV.Core.Commands;

namespace AegisKV.Core.Tests;

/// <summary>
/// <see cref="CommandId"/> values cross the wire inside shard batches between nodes of different
/// versions: a value is never changed or reused. Adding a command adds a row here; changing a row
/// is a wire format change.
/// </summary>
public sealed class CommandIdStabilityTests
{
    public static TheoryData<string, int> Pinned => new()
    {
        { "None", 0 },
        { "Ping", 1 },
        { "Echo", 2 },
        { "Quit", 3 },
        { "Auth", 4 },
        { "Hello", 5 },
        { "Select", 6 },
        { "Client", 7 },
        { "Command", 8 },
        { "Info", 9 },
        { "Time", 10 },
        { "Config", 11 },
        { "DbSize", 12 },
        { "Keys", 13 },
        { "Scan", 14 },
        { "FlushAll", 15 },
        { "Get", 16 },
        { "Set", 17 },
        { "SetNx", 18 },
        { "SetEx", 19 },
        { "PSetEx", 20 },
        { "GetSet", 21 },
        { "GetDel", 22 },
        { "GetEx", 23 },
        { "MGet", 24 },
        { "MSet", 25 },
        { "Del", 26 },
        { "Unlink", 27 },
        { "Exists", 28 },
        { "Incr", 29 },
        { "Decr", 30 },
        { "IncrBy", 31 },
        { "DecrBy", 32 },
        { "Append", 33 },
        { "StrLen", 34 },
        { "Expire", 35 },
        { "PExpire", 36 },
        { "ExpireAt", 37 },
        { "PExpireAt", 38 },
        { "Ttl", 39 },
        { "PTtl", 40 },
        { "Persist", 41 },
        { "Type", 42 },
        { "FlushDb", 43 },
        { "Multi", 44 },
        { "Exec", 45 },
        { "Discard", 46 },
        { "Watch", 47 },
        { "Unwatch", 48 },
        { "GetRange", 49 },
        { "SubStr", 50 },
        { "SetRange", 51 },
        { "IncrByFloat", 52 },
        { "MSetNx", 53 },
        { "Rename", 54 },
        { "RenameNx", 55 },
        { "Cluster", 56 },
        { "HSet", 57 },
        { "HSetNx", 58 },
        { "HGet", 59 },
        { "HMGet", 60 },
        { "HGetAll", 61 },
        { "HDel", 62 },
        { "HExists", 63 },
        { "HLen", 64 },
        { "HStrLen", 65 },
        { "HKeys", 66 },
        { "HVals", 67 },
        { "HIncrBy", 68 },
        { "HIncrByFloat", 69 },
        { "HRandField", 70 },
        { "HScan", 71 },
        { "HExpire", 72 },
        { "HPExpire", 73 },
        { "HExpireAt", 74 },
        { "HPExpireAt", 75 },
        { "HTtl", 76 },
        { "HPTtl", 77 },
        { "HPersist", 78 },
        { "HExpireTime", 79 },
        { "HPExpireTime", 80 },
        { "HMSet", 81 },
        { "Dump", 82 },
        { "Restore", 83 },
        { "Monitor", 84 },
        { "SlowLog", 85 },
        { "Function", 86 },
        { "Object", 87 },
        { "Memory", 88 },
        { "SetBit", 89 },
        { "GetBit", 90 },
        { "BitCount", 91 },
        { "BitPos", 92 },
        { "BitField", 93 },
        { "BitFieldRo", 94 },
        { "Lcs", 95 },
        { "Copy", 96 },
        { "RandomKey", 97 },
        { "ExpireTime", 98 },
        { "PExpireTime", 99 },
        { "Touch", 100 },
    };

    [Theory]
    [MemberData(nameof(Pinned))]
    public void A_command_id_should_keep_its_wire_value(string name, int value) =>
        Assert.Equal(value, (int)Enum.Parse<CommandId>(name));

    [Fact]
    public void Every_command_id_should_be_pinned()
    {
        var pinned = Pinned.Select(row => (string)row[0]).ToHashSet();
        foreach (var name in Enum.GetNames<CommandId>()) Assert.Contains(name, pinned);
    }
}
