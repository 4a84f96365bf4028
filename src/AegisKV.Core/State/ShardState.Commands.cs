using AegisKV.Core.Commands;
using AegisKV.Core.Replies;

namespace AegisKV.Core.State;

public sealed partial class ShardState
{
    private static readonly Reply TypeString = new SimpleReply("string"u8.ToArray());
    private static readonly Reply TypeNone = new SimpleReply("none"u8.ToArray());
    private static readonly ErrorReply ExpireOptionConflict =
        Errors.Text("ERR NX and XX, GT or LT options at the same time are not compatible");
    private static readonly ErrorReply GtLtConflict = Errors.Text("ERR GT and LT options at the same time are not compatible");
    private static readonly ErrorReply DecrementOverflow = Errors.Text("ERR decrement would overflow");
    private static readonly ErrorReply StringTooLong = Errors.Text("ERR string exceeds maximum allowed size (proto-max-bulk-len)");

    /// <summary>Longest value APPEND may build, as Redis's default proto-max-bulk-len.</summary>
    public const long MaxValueLength = 512L * 1024 * 1024;

    /// <summary>
    /// Runs a keyed command against this shard. <paramref name="arguments"/> exclude the
    /// command name. Events the command causes are added to <paramref name="events"/> and
    /// already applied; the caller persists them before releasing the reply, and takes what they
    /// replaced with <see cref="TakeUndo"/>.
    /// </summary>
    public Reply Execute(CommandId command, byte[][] arguments, long nowMs, List<IShardEvent> events)
    {
        var first = events.Count;
        var watchNew = (_notifications?.Flags & KeyspaceEvents.New) != 0 && arguments.Length > 0 && !_map.ContainsKey(arguments[0]);
        var reply = ExecuteCommand(command, arguments, nowMs, events);
        if (events.Count > first && _notifications is { Flags: not 0 }) NotifyCommand(command, arguments, events, watchNew);
        return reply;
    }

    private Reply ExecuteCommand(CommandId command, byte[][] arguments, long nowMs, List<IShardEvent> events)
    {
        _changes.Clear();
        var spec = CommandTable.Get(command);
        if ((spec.Flags & CommandFlags.DenyOom) != 0 && !HasRoomFor(arguments, nowMs, events)) return Errors.OutOfMemory;
        // keyspace_hits and keyspace_misses: GET counts its own lookup; other single-key reads look once more.
        if ((spec.Flags & CommandFlags.ReadOnly) != 0 && spec.Routing == CommandRouting.SingleKey && command != CommandId.Get)
            _memory.CountLookup(_map.TryGetValue(arguments[0], out var looked) && IsLive(looked, nowMs));
        var kind = KindOf(command);
        if (kind == ValueKind.List) return ExecuteList(command, arguments, nowMs, events);
        if (kind == ValueKind.Hash)
            return TryGetLive(arguments[0], nowMs, out var held) && held.Object is not HashValue ? Errors.WrongType : ExecuteHash(command, arguments, nowMs, events);
        // Only a shard holding other types than strings checks a string command's key.
        if (kind == ValueKind.String && _otherTypeKeys > 0 && TryGetLive(arguments[0], nowMs, out var other) && !other.IsString)
            return Errors.WrongType;
        switch (command)
        {
            case CommandId.Get:
            {
                var found = TryGetLive(arguments[0], nowMs, out var got);
                _memory.CountLookup(found);
                return found ? got.ValueReply() : Reply.Nil;
            }
            case CommandId.Set:
                return Set(arguments, nowMs, events);
            case CommandId.SetNx:
                if (TryGetLive(arguments[0], nowMs, out _)) return Reply.Zero;
                Emit(events, new ValueSet(Epoch, arguments[0], arguments[1], 0));
                return Reply.One;
            case CommandId.SetEx:
            case CommandId.PSetEx:
                return SetWithExpiry(command, arguments, nowMs, events);
            case CommandId.GetSet:
            {
                var old = TryGetLive(arguments[0], nowMs, out var previous) ? previous.Value.ToArray() : null;
                Emit(events, new ValueSet(Epoch, arguments[0], arguments[1], 0));
                return Reply.Bulk(old);
            }
            case CommandId.GetDel:
                if (!TryGetLive(arguments[0], nowMs, out var deleted)) return Reply.Nil;
                Emit(events, new KeysDeleted(Epoch, [arguments[0]]));
                return deleted.ValueReply();
            case CommandId.GetEx:
                return GetEx(arguments, nowMs, events);
            case CommandId.MGet:
            {
                var items = new Reply[arguments.Length];
                for (var i = 0; i < arguments.Length; i++)
                {
                    var found = TryGetLive(arguments[i], nowMs, out var v);
                    _memory.CountLookup(found);
                    items[i] = found && v.IsString ? v.ValueReply() : Reply.Nil;
                }
                return new ArrayReply(items);
            }
            case CommandId.MSet:
                for (var i = 0; i + 1 < arguments.Length; i += 2) Emit(events, new ValueSet(Epoch, arguments[i], arguments[i + 1], 0));
                return Reply.Ok;
            case CommandId.Del:
            case CommandId.Unlink:
                return Delete(arguments, nowMs, events);
            case CommandId.Exists:
            case CommandId.Touch:
            {
                var count = 0;
                foreach (var key in arguments)
                    if (command == CommandId.Touch ? TryGetLive(key, nowMs, out _) : TryPeekLive(key, nowMs, out _)) count++;
                return Reply.Integer(count);
            }
            case CommandId.Incr:
                return IncrementBy(arguments[0], 1, nowMs, events);
            case CommandId.Decr:
                return IncrementBy(arguments[0], -1, nowMs, events);
            case CommandId.IncrBy:
            case CommandId.DecrBy:
            {
                if (!IntegerText.TryParse(arguments[1], out var delta)) return Errors.NotInteger;
                if (command == CommandId.DecrBy)
                {
                    if (delta == long.MinValue) return DecrementOverflow;
                    delta = -delta;
                }

                return IncrementBy(arguments[0], delta, nowMs, events);
            }
            case CommandId.Append:
            {
                var exists = TryGetLive(arguments[0], nowMs, out var current);
                if ((exists ? (long)current.Value.Length : 0) + arguments[1].Length > MaxValueLength) return StringTooLong;
                var value = exists ? [.. current.Value, .. arguments[1]] : arguments[1];
                Emit(events, new ValueSet(Epoch, arguments[0], value, exists ? current.ExpireAtMs : 0));
                return Reply.Integer(value.Length);
            }
            case CommandId.MSetNx:
                return SetAllIfNoneExists(arguments, nowMs, events);
            case CommandId.Rename:
            case CommandId.RenameNx:
                return Rename(arguments[0], arguments[1], command == CommandId.RenameNx, nowMs, events);
            case CommandId.GetRange:
            case CommandId.SubStr:
                return GetRange(arguments, nowMs);
            case CommandId.SetRange:
                return SetRange(arguments, nowMs, events);
            case CommandId.IncrByFloat:
                return IncrementByFloat(arguments, nowMs, events);
            case CommandId.StrLen:
                return TryGetLive(arguments[0], nowMs, out var measured) ? Reply.Integer(measured.Value.Length) : Reply.Zero;
            case CommandId.Expire:
            case CommandId.PExpire:
            case CommandId.ExpireAt:
            case CommandId.PExpireAt:
                return Expire(command, arguments, nowMs, events);
            case CommandId.Ttl:
            case CommandId.PTtl:
            {
                if (!TryPeekLive(arguments[0], nowMs, out var v)) return Reply.Integer(-2);
                if (v.ExpireAtMs == 0) return Reply.Integer(-1);
                var remaining = v.ExpireAtMs - nowMs;
                return Reply.Integer(command == CommandId.Ttl ? (remaining + 500) / 1000 : remaining);
            }
            case CommandId.Persist:
                if (!TryGetLive(arguments[0], nowMs, out var persisted) || persisted.ExpireAtMs == 0) return Reply.Zero;
                Emit(events, new ExpirySet(Epoch, arguments[0], 0));
                return Reply.One;
            case CommandId.Type:
                return TryPeekLive(arguments[0], nowMs, out var typed) ? TypeOf(typed.Object) : TypeNone;
            case CommandId.ExpireTime:
            case CommandId.PExpireTime:
                if (!TryPeekLive(arguments[0], nowMs, out var expiring)) return Reply.Integer(-2);
                if (expiring.ExpireAtMs == 0) return Reply.Integer(-1);
                return Reply.Integer(command == CommandId.ExpireTime ? expiring.ExpireAtMs / 1000 : expiring.ExpireAtMs);
            case CommandId.SetBit:
                return SetBit(arguments, nowMs, events);
            case CommandId.GetBit:
                return GetBit(arguments, nowMs);
            case CommandId.BitCount:
                return BitCount(arguments, nowMs);
            case CommandId.BitPos:
                return BitPos(arguments, nowMs);
            case CommandId.BitField:
            case CommandId.BitFieldRo:
                return Bitfield(arguments, command == CommandId.BitFieldRo, nowMs, events);
            case CommandId.Lcs:
                return Lcs(arguments, nowMs);
            case CommandId.Copy:
                return Copy(arguments, nowMs, events);
            case CommandId.RandomKey:
                return RandomKey(nowMs);
            case CommandId.Object:
                return ObjectInfo(arguments, nowMs);
            case CommandId.Memory:
                return MemoryUsage(arguments, nowMs);
            case CommandId.Dump:
                return Dump(arguments[0], nowMs);
            case CommandId.Restore:
                return Restore(arguments, nowMs, events);
            case CommandId.Watch:
                // The keys' versions, for the connection to hand back at EXEC.
                var versions = new Reply[arguments.Length];
                for (var i = 0; i < arguments.Length; i++) versions[i] = Reply.Integer(VersionOf(arguments[i], nowMs));
                return new ArrayReply(versions);
            case CommandId.DbSize:
                return Reply.Integer(_map.Count);
            case CommandId.Keys:
                return Keys(arguments[0], nowMs);
            case CommandId.Scan:
                return Scan(arguments, nowMs);
            case CommandId.FlushAll:
            case CommandId.FlushDb:
                if (_map.Count > 0) Emit(events, new ShardCleared(Epoch));
                return Reply.Ok;
            default:
                return Errors.Text($"ERR command {command} is not served by a shard");
        }
    }

    /// <summary>Starts a new primary incarnation: the returned event carries the next epoch.</summary>
    public EpochStarted NextEpoch() => new(Epoch + 1);

    private void Emit(List<IShardEvent> events, IShardEvent e)
    {
        Remember(e);
        Apply(e);
        events.Add(e);
    }

    private Reply Delete(byte[][] keys, long nowMs, List<IShardEvent> events)
    {
        List<byte[]>? removed = null;
        HashSet<byte[]>? seen = keys.Length > 8 ? new HashSet<byte[]>(ByteKeyComparer.Instance) : null;
        foreach (var key in keys)
        {
            if (!TryGetLive(key, nowMs, out _)) continue;
            removed ??= new List<byte[]>(keys.Length);
            // DEL k k removes k once and counts it once.
            if (seen is not null ? seen.Add(key) : !Contains(removed, key)) removed.Add(key);
        }

        if (removed is null) return Reply.Zero;
        Emit(events, new KeysDeleted(Epoch, [.. removed]));
        return Reply.Integer(removed.Count);
    }

    private static bool Contains(List<byte[]> keys, byte[] key)
    {
        foreach (var k in keys)
            if (k.AsSpan().SequenceEqual(key)) return true;
        return false;
    }

    private Reply Expire(CommandId command, byte[][] arguments, long nowMs, List<IShardEvent> events)
    {
        var name = CommandTable.Get(command).Name;
        if (!IntegerText.TryParse(arguments[1], out var amount)) return Errors.NotInteger;
        bool nx = false, xx = false, gt = false, lt = false;
        for (var i = 2; i < arguments.Length; i++)
        {
            var option = arguments[i];
            if (Is(option, "NX"u8)) nx = true;
            else if (Is(option, "XX"u8)) xx = true;
            else if (Is(option, "GT"u8)) gt = true;
            else if (Is(option, "LT"u8)) lt = true;
            else return Errors.Text($"ERR Unsupported option {System.Text.Encoding.UTF8.GetString(option)}");
        }

        if (nx && (xx || gt || lt)) return ExpireOptionConflict;
        if (gt && lt) return GtLtConflict;

        var unitMs = command is CommandId.Expire or CommandId.ExpireAt ? 1000 : 1;
        var absolute = command is CommandId.ExpireAt or CommandId.PExpireAt;
        if (!TryExpireAt(amount, unitMs, absolute, nowMs, out var expireAt)) return Errors.InvalidExpireTime(name);
        if (!TryGetLive(arguments[0], nowMs, out var current)) return Reply.Zero;

        // A key without expiry counts as expiring never: GT never applies to it, LT always does.
        var hasTtl = current.ExpireAtMs != 0;
        if ((nx && hasTtl) || (xx && !hasTtl) || (gt && (!hasTtl || expireAt <= current.ExpireAtMs)) ||
            (lt && hasTtl && expireAt >= current.ExpireAtMs))
            return Reply.Zero;

        if (expireAt <= nowMs) Emit(events, new KeysDeleted(Epoch, [arguments[0]]));
        else Emit(events, new ExpirySet(Epoch, arguments[0], expireAt));
        return Reply.One;
    }

    private static bool Is(ReadOnlySpan<byte> argument, ReadOnlySpan<byte> upperCaseOption) =>
        System.Text.Ascii.EqualsIgnoreCase(argument, upperCaseOption);

    // EX/PX/EXAT/PXAT → (milliseconds per unit, absolute); (0, false) when not an expiry option.
    private static (long UnitMs, bool Absolute) ExpiryUnit(ReadOnlySpan<byte> option)
    {
        if (Is(option, "EX"u8)) return (1000, false);
        if (Is(option, "PX"u8)) return (1, false);
        if (Is(option, "EXAT"u8)) return (1000, true);
        if (Is(option, "PXAT"u8)) return (1, true);
        return (0, false);
    }

    private static bool TryExpireAt(long amount, long unitMs, bool absolute, long nowMs, out long expireAtMs)
    {
        expireAtMs = 0;
        if (amount > long.MaxValue / unitMs || amount < long.MinValue / unitMs) return false;
        var ms = amount * unitMs;
        if (absolute)
        {
            expireAtMs = ms;
        }
        else
        {
            if (ms > long.MaxValue - nowMs) return false;
            expireAtMs = nowMs + ms;
        }

        // 0 means "no expiry" on disk, so an absolute time at or before the epoch is clamped to 1 ms (long past).
        if (expireAtMs <= 0) expireAtMs = 1;
        return true;
    }
}
