using AegisKV.Core.Replies;

namespace AegisKV.Core.State;

// OBJECT and MEMORY USAGE: what a key's value looks like to Redis tools, read without touching it.
public sealed partial class ShardState
{
    // OBJECT ENCODING | IDLETIME | FREQ | REFCOUNT key; reading it is not an access.
    private Reply ObjectInfo(byte[][] arguments, long nowMs)
    {
        var sub = arguments[0];
        if (!_map.TryGetValue(arguments[1], out var value) || !IsLive(value, nowMs)) return Reply.Nil;
        if (Is(sub, "ENCODING"u8))
            return new BulkReply(value.Object switch
            {
                null => StringEncoding(value.Value),
                HashValue hash => IsSmall(hash) ? "listpack"u8.ToArray() : "hashtable"u8.ToArray(),
                ListValue list => IsSmall(list) ? "listpack"u8.ToArray() : "quicklist"u8.ToArray(),
                _ => "unknown"u8.ToArray(),
            });
        if (Is(sub, "IDLETIME"u8))
            return _memory.Policy is EvictionPolicy.AllKeysLfu or EvictionPolicy.VolatileLfu
                ? Errors.Text("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
                : Reply.Integer(AccessClock.Since(value.AccessedAt, AccessClock.Now));
        if (Is(sub, "FREQ"u8))
            return _memory.Policy is EvictionPolicy.AllKeysLfu or EvictionPolicy.VolatileLfu
                ? Reply.Integer(AccessClock.Decayed(value.Frequency, value.AccessedAt, AccessClock.Now))
                : Errors.Text("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.");
        if (Is(sub, "REFCOUNT"u8)) return Reply.One;
        return Errors.Syntax;
    }

    // As Redis's encoding thresholds, which AegisKV reports but does not store by.
    private static byte[] StringEncoding(ReadOnlySpan<byte> text) =>
        text.Length <= 20 && IntegerText.TryParse(text, out _) ? "int"u8.ToArray() : text.Length <= 44 ? "embstr"u8.ToArray() : "raw"u8.ToArray();

    private bool IsSmall(HashValue hash)
    {
        if (hash.Count > _memory.HashListpackEntries) return false;
        foreach (var (field, value) in hash.Fields)
            if (field.Length > _memory.HashListpackValue || value.Value.Length > _memory.HashListpackValue) return false;
        return true;
    }

    // Redis's default list-max-listpack-size of -2: one listpack holds up to 8 KB.
    private static bool IsSmall(ListValue list) => list.Count <= 128 && list.Bytes <= 8192;

    // MEMORY USAGE key [SAMPLES n]: the bytes this node charges the key (see NodeMemory).
    private Reply MemoryUsage(byte[][] arguments, long nowMs)
    {
        if (arguments.Length == 3 && !Is(arguments[1], "SAMPLES"u8)) return Errors.Syntax;
        if (arguments.Length == 3 && !IntegerText.TryParse(arguments[2], out _)) return Errors.NotInteger;
        if (arguments.Length is 2 or > 3) return Errors.Syntax;
        if (!_map.TryGetValue(arguments[0], out var value) || !IsLive(value, nowMs)) return Reply.Nil;
        return Reply.Integer(KeyRecord.Cost(value.Record));
    }
}
