using AegisKV.Core.Commands;
using AegisKV.Core.Replies;

namespace AegisKV.Core.State;

// The hash commands, with Redis 7.4's replies. The caller (Execute) has checked that the key holds a
// hash or nothing; every reader skips expired fields.
public sealed partial class ShardState
{
    private static readonly ErrorReply HashNotInteger = Errors.Text("ERR hash value is not an integer");
    private static readonly ErrorReply HashNotFloat = Errors.Text("ERR hash value is not a float");

    private Reply ExecuteHash(CommandId command, byte[][] arguments, long nowMs, List<IShardEvent> events)
    {
        var key = arguments[0];
        var hash = TryGetLive(key, nowMs, out var stored) ? (HashValue)stored.Object! : null;
        switch (command)
        {
            case CommandId.HSet:
            case CommandId.HMSet:
            {
                if (arguments.Length % 2 == 0) return Errors.WrongArity(command == CommandId.HSet ? "hset" : "hmset");
                // Fields named twice count once, as Redis counts them.
                var added = new List<byte[]>();
                for (var i = 1; i < arguments.Length; i += 2)
                    if ((hash is null || !hash.TryGet(arguments[i], nowMs, out _)) && !Contains(added, arguments[i])) added.Add(arguments[i]);
                SetFields(key, hash, arguments[1..], keepTtl: false, events);
                return command == CommandId.HSet ? Reply.Integer(added.Count) : Reply.Ok;
            }
            case CommandId.HSetNx:
                if (hash is not null && hash.TryGet(arguments[1], nowMs, out _)) return Reply.Zero;
                SetFields(key, hash, arguments[1..], keepTtl: false, events);
                return Reply.One;
            case CommandId.HGet:
                return hash is not null && hash.TryGet(arguments[1], nowMs, out var got) ? new BulkReply(got.Value) : Reply.Nil;
            case CommandId.HMGet:
            {
                var items = new Reply[arguments.Length - 1];
                for (var i = 1; i < arguments.Length; i++)
                    items[i - 1] = hash is not null && hash.TryGet(arguments[i], nowMs, out var v) ? new BulkReply(v.Value) : Reply.Nil;
                return new ArrayReply(items);
            }
            case CommandId.HGetAll:
                return LiveFields(hash, nowMs, withFields: true, withValues: true);
            case CommandId.HKeys:
                return LiveFields(hash, nowMs, withFields: true, withValues: false);
            case CommandId.HVals:
                return LiveFields(hash, nowMs, withFields: false, withValues: true);
            case CommandId.HDel:
            {
                if (hash is null) return Reply.Zero;
                var removed = new List<byte[]>();
                for (var i = 1; i < arguments.Length; i++)
                    if (hash.TryGet(arguments[i], nowMs, out _) && !Contains(removed, arguments[i])) removed.Add(arguments[i]);
                if (removed.Count > 0) Emit(events, new HashFieldsDeleted(Epoch, key, [.. removed]));
                return Reply.Integer(removed.Count);
            }
            case CommandId.HExists:
                return hash is not null && hash.TryGet(arguments[1], nowMs, out _) ? Reply.One : Reply.Zero;
            case CommandId.HLen:
                return Reply.Integer(hash?.LiveCount(nowMs) ?? 0);
            case CommandId.HStrLen:
                return Reply.Integer(hash is not null && hash.TryGet(arguments[1], nowMs, out var measured) ? measured.Value.Length : 0);
            case CommandId.HIncrBy:
                return HashIncrement(key, hash, arguments, nowMs, events);
            case CommandId.HIncrByFloat:
                return HashIncrementFloat(key, hash, arguments, nowMs, events);
            case CommandId.HRandField:
                return RandomFields(hash, arguments, nowMs);
            case CommandId.HScan:
                return ScanFields(hash, arguments, nowMs);
            default:
                return HashFieldExpiry(command, key, hash, arguments, nowMs, events);
        }
    }

    // A hash the command did not see (missing, expired, or all its fields expired) starts afresh: the
    // delete goes first even when the map no longer holds the key, because the background sweep that
    // removed it is not journaled, and on replay the old hash may still be there to merge into.
    private void SetFields(byte[] key, HashValue? seen, byte[][] fieldsAndValues, bool keepTtl, List<IShardEvent> events)
    {
        if (seen is null) Emit(events, new KeysDeleted(Epoch, [key]));
        Emit(events, new HashFieldsSet(Epoch, key, fieldsAndValues, keepTtl));
    }

    private static readonly Reply EmptyMap = new MapReply([]);

    // In the order the fields were added, as Redis answers a small hash (a large one it answers in no set order).
    private static Reply LiveFields(HashValue? hash, long nowMs, bool withFields, bool withValues)
    {
        if (hash is null) return withFields && withValues ? EmptyMap : Reply.EmptyArray;
        var items = new List<Reply>(hash.Count * (withFields && withValues ? 2 : 1));
        foreach (var (field, value) in hash.InOrder())
        {
            if (value.IsExpired(nowMs)) continue;
            if (withFields) items.Add(new BulkReply(field));
            if (withValues) items.Add(new BulkReply(value.Value));
        }

        return withFields && withValues ? new MapReply([.. items]) : new ArrayReply([.. items]);
    }

    // The field's own expiry stays, as in Redis 7.4.
    private Reply HashIncrement(byte[] key, HashValue? hash, byte[][] arguments, long nowMs, List<IShardEvent> events)
    {
        if (!IntegerText.TryParse(arguments[2], out var delta)) return Errors.NotInteger;
        long current = 0;
        HashField field = default;
        var exists = hash is not null && hash.TryGet(arguments[1], nowMs, out field);
        if (exists && !IntegerText.TryParse(field.Value, out current)) return HashNotInteger;
        if ((delta > 0 && current > long.MaxValue - delta) || (delta < 0 && current < long.MinValue - delta)) return Errors.Overflow;
        var next = current + delta;
        SetFields(key, hash, [arguments[1], IntegerText.Format(next)], keepTtl: exists, events);
        return Reply.Integer(next);
    }

    private Reply HashIncrementFloat(byte[] key, HashValue? hash, byte[][] arguments, long nowMs, List<IShardEvent> events)
    {
        if (!TryParseFloat(arguments[2], out var increment)) return Errors.NotFloat;
        if (!double.IsFinite(increment)) return Errors.Text("ERR value is NaN or Infinity");
        var current = 0.0;
        HashField field = default;
        var exists = hash is not null && hash.TryGet(arguments[1], nowMs, out field);
        if (exists && !TryParseFloat(field.Value, out current)) return HashNotFloat;
        var next = current + increment;
        if (!double.IsFinite(next)) return NotFinite;
        var text = System.Text.Encoding.ASCII.GetBytes(FormatFloat(next));
        SetFields(key, hash, [arguments[1], text], keepTtl: exists, events);
        return new BulkReply(text);
    }
}
