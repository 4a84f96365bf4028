using AegisKV.Core.Commands;
using AegisKV.Core.Replies;

namespace AegisKV.Core.State;

// HRANDFIELD, HSCAN, and the field expiry commands of Redis 7.4 (HEXPIRE … HPERSIST).
public sealed partial class ShardState
{
    private const long MaxFieldExpiryMs = (1L << 48) - 1;
    private static readonly ErrorReply FieldsMissing = Errors.Text("ERR Mandatory argument FIELDS is missing or not at the right position");
    private static readonly ErrorReply NumFieldsNotPositive = Errors.Text("ERR Parameter `numFields` should be greater than 0");
    private static readonly ErrorReply NumFieldsMismatch = Errors.Text("ERR The `numfields` parameter must match the number of arguments");
    private static readonly ErrorReply FieldExpiryOutOfRange = Errors.Text($"ERR invalid expire time, must be >= 0 and <= {MaxFieldExpiryMs}");
    private static readonly ErrorReply OutOfRange = Errors.Text("ERR value is out of range");
    private static readonly Reply NoSuchField = Reply.Integer(-2);
    private static readonly Reply NoFieldTtl = Reply.Integer(-1);

    private static Reply RandomFields(HashValue? hash, byte[][] arguments, long nowMs)
    {
        if (arguments.Length == 1)
        {
            if (hash is null) return Reply.Nil;
            var live = LiveFieldList(hash, nowMs);
            return new BulkReply(live[Random.Shared.Next(live.Count)].Key);
        }

        if (!IntegerText.TryParse(arguments[1], out var count)) return Errors.NotInteger;
        if (count == long.MinValue) return OutOfRange;
        var withValues = arguments.Length == 3 && Is(arguments[2], "WITHVALUES"u8);
        if (arguments.Length > 3 || (arguments.Length == 3 && !withValues)) return Errors.Syntax;
        if (withValues && count < -(long.MaxValue / 2)) return OutOfRange;
        if (hash is null || count == 0) return Reply.EmptyArray;

        var fields = LiveFieldList(hash, nowMs);
        var picked = new List<KeyValuePair<byte[], HashField>>();
        if (count < 0)
        {
            // Repeats allowed: each pick is independent.
            for (var i = 0L; i < -count; i++) picked.Add(fields[Random.Shared.Next(fields.Count)]);
        }
        else
        {
            var shuffled = fields.ToArray();
            Random.Shared.Shuffle(shuffled);
            picked.AddRange(shuffled.AsSpan(0, (int)Math.Min(count, shuffled.Length)));
        }

        var items = new List<Reply>(picked.Count * (withValues ? 2 : 1));
        foreach (var (field, value) in picked)
        {
            items.Add(new BulkReply(field));
            if (withValues) items.Add(new BulkReply(value.Value));
        }

        return withValues ? new PairsReply([.. items]) : new ArrayReply([.. items]);
    }

    private static List<KeyValuePair<byte[], HashField>> LiveFieldList(HashValue hash, long nowMs)
    {
        var live = new List<KeyValuePair<byte[], HashField>>(hash.Count);
        foreach (var pair in hash.Fields)
            if (!pair.Value.IsExpired(nowMs)) live.Add(pair);
        return live;
    }

    // Walks fields in ScanPosition order, like SCAN over keys: a field present for a whole scan is returned.
    private static Reply ScanFields(HashValue? hash, byte[][] arguments, long nowMs)
    {
        if (!ulong.TryParse(System.Text.Encoding.ASCII.GetString(arguments[1]), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var cursor))
            return Errors.InvalidCursor;
        byte[]? pattern = null;
        long count = 10;
        var noValues = false;
        for (var i = 2; i < arguments.Length; i++)
        {
            var hasValue = i + 1 < arguments.Length;
            if (Is(arguments[i], "MATCH"u8) && hasValue) pattern = arguments[++i];
            else if (Is(arguments[i], "COUNT"u8) && hasValue)
            {
                if (!IntegerText.TryParse(arguments[++i], out count)) return Errors.NotInteger;
                if (count < 1) return Errors.Syntax;
            }
            else if (Is(arguments[i], "NOVALUES"u8)) noValues = true;
            else return Errors.Syntax;
        }

        var zero = new BulkReply("0"u8.ToArray());
        if (hash is null) return new ArrayReply([zero, Reply.EmptyArray]);
        var candidates = new List<(long Position, byte[] Field, byte[] Value)>();
        foreach (var (field, value) in hash.Fields)
        {
            var position = ScanPosition(field);
            if ((ulong)position >= cursor && !value.IsExpired(nowMs)) candidates.Add((position, field, value.Value));
        }

        candidates.Sort(static (a, b) => a.Position.CompareTo(b.Position));
        var take = (int)Math.Min(count, candidates.Count);
        while (take > 0 && take < candidates.Count && candidates[take].Position == candidates[take - 1].Position) take++;
        var items = new List<Reply>();
        for (var i = 0; i < take; i++)
        {
            if (pattern is not null && !GlobPattern.IsMatch(pattern, candidates[i].Field)) continue;
            items.Add(new BulkReply(candidates[i].Field));
            if (!noValues) items.Add(new BulkReply(candidates[i].Value));
        }

        var next = take < candidates.Count ? new BulkReply(IntegerText.Format(candidates[take - 1].Position + 1)) : zero;
        return new ArrayReply([next, new ArrayReply([.. items])]);
    }

    private Reply HashFieldExpiry(CommandId command, byte[] key, HashValue? hash, byte[][] arguments, long nowMs, List<IShardEvent> events)
    {
        var setting = command is CommandId.HExpire or CommandId.HPExpire or CommandId.HExpireAt or CommandId.HPExpireAt;
        var at = setting ? 2 : 1;
        long expireAt = 0;
        bool nx = false, xx = false, gt = false, lt = false;
        if (setting)
        {
            if (!IntegerText.TryParse(arguments[1], out var amount)) return Errors.NotInteger;
            var unitMs = command is CommandId.HExpire or CommandId.HExpireAt ? 1000 : 1;
            if (amount < 0 || amount > MaxFieldExpiryMs / unitMs) return FieldExpiryOutOfRange;
            expireAt = command is CommandId.HExpireAt or CommandId.HPExpireAt ? amount * unitMs : nowMs + amount * unitMs;
            if (expireAt > MaxFieldExpiryMs) return FieldExpiryOutOfRange;
            if (at < arguments.Length)
            {
                if (Is(arguments[at], "NX"u8)) (nx, at) = (true, at + 1);
                else if (Is(arguments[at], "XX"u8)) (xx, at) = (true, at + 1);
                else if (Is(arguments[at], "GT"u8)) (gt, at) = (true, at + 1);
                else if (Is(arguments[at], "LT"u8)) (lt, at) = (true, at + 1);
            }
        }

        if (at >= arguments.Length || !Is(arguments[at], "FIELDS"u8)) return FieldsMissing;
        if (at + 1 >= arguments.Length || !IntegerText.TryParse(arguments[at + 1], out var numFields) || numFields < 1) return NumFieldsNotPositive;
        var fields = arguments[(at + 2)..];
        if (numFields != fields.Length) return NumFieldsMismatch;

        var replies = new Reply[fields.Length];
        List<byte[]>? change = null, delete = null;
        for (var i = 0; i < fields.Length; i++)
        {
            if (hash is null || !hash.TryGet(fields[i], nowMs, out var field))
            {
                replies[i] = NoSuchField;
                continue;
            }

            var ttl = field.ExpireAtMs;
            switch (command)
            {
                case CommandId.HTtl:
                    replies[i] = ttl == 0 ? NoFieldTtl : Reply.Integer((ttl - nowMs + 500) / 1000);
                    break;
                case CommandId.HPTtl:
                    replies[i] = ttl == 0 ? NoFieldTtl : Reply.Integer(ttl - nowMs);
                    break;
                case CommandId.HExpireTime:
                    replies[i] = ttl == 0 ? NoFieldTtl : Reply.Integer(ttl / 1000);
                    break;
                case CommandId.HPExpireTime:
                    replies[i] = ttl == 0 ? NoFieldTtl : Reply.Integer(ttl);
                    break;
                case CommandId.HPersist:
                    if (ttl == 0) replies[i] = NoFieldTtl;
                    else (replies[i], change) = (Reply.One, Add(change, fields[i]));
                    break;
                default:
                    // A field without expiry counts as expiring never: GT never applies to it, LT always does.
                    if ((nx && ttl != 0) || (xx && ttl == 0) || (gt && (ttl == 0 || expireAt <= ttl)) || (lt && ttl != 0 && expireAt >= ttl))
                        replies[i] = Reply.Zero;
                    else if (expireAt <= nowMs) (replies[i], delete) = (Reply.Integer(2), Add(delete, fields[i]));
                    else (replies[i], change) = (Reply.One, Add(change, fields[i]));
                    break;
            }
        }

        if (change is not null) Emit(events, new HashFieldsExpirySet(Epoch, key, [.. change], command == CommandId.HPersist ? 0 : expireAt));
        if (delete is not null) Emit(events, new HashFieldsDeleted(Epoch, key, [.. delete]));
        return new ArrayReply(replies);
    }

    private static List<byte[]> Add(List<byte[]>? list, byte[] item)
    {
        list ??= [];
        if (!Contains(list, item)) list.Add(item);
        return list;
    }
}
