using AegisKV.Core.Replies;

namespace AegisKV.Core.State;

// Commands over several keys that run as one step on one shard (the connection has checked that all
// their keys are here): MSETNX, RENAME, RENAMENX; and the walks over the whole key space, KEYS and SCAN.
public sealed partial class ShardState
{
    private static readonly ErrorReply NoSuchKey = Errors.Text("ERR no such key");

    // Sets every pair, or none if any of the keys exists.
    private Reply SetAllIfNoneExists(byte[][] arguments, long nowMs, List<IShardEvent> events)
    {
        for (var i = 0; i < arguments.Length; i += 2)
            if (TryGetLive(arguments[i], nowMs, out _)) return Reply.Zero;
        for (var i = 0; i + 1 < arguments.Length; i += 2) Emit(events, new ValueSet(Epoch, arguments[i], arguments[i + 1], 0));
        return Reply.Integer(1);
    }

    // COPY source destination [DB 0] [REPLACE]: values are immutable, so the copy shares them.
    private Reply Copy(byte[][] arguments, long nowMs, List<IShardEvent> events)
    {
        var replace = false;
        for (var i = 2; i < arguments.Length; i++)
        {
            if (Is(arguments[i], "REPLACE"u8)) replace = true;
            else if (Is(arguments[i], "DB"u8) && i + 1 < arguments.Length)
            {
                if (!IntegerText.TryParse(arguments[++i], out var db)) return Errors.NotInteger;
                if (db != 0) return Errors.DbIndexOutOfRange;
            }
            else return Errors.Syntax;
        }

        if (arguments[0].AsSpan().SequenceEqual(arguments[1])) return Errors.Text("ERR source and destination objects are the same");
        if (!TryGetLive(arguments[0], nowMs, out var source)) return Reply.Zero;
        if (TryPeekLive(arguments[1], nowMs, out _))
        {
            if (!replace) return Reply.Zero;
            Emit(events, new KeysDeleted(Epoch, [arguments[1]]));
        }

        Emit(events, WholeValueSet(arguments[1], source.Payload, source.ExpireAtMs));
        return Reply.One;
    }

    // The event that sets key to a whole value of any type: a string's is the plain (and smaller) ValueSet.
    private IShardEvent WholeValueSet(byte[] key, object data, long expireAtMs) =>
        data is byte[] text ? new ValueSet(Epoch, key, text, expireAtMs) : new EntryRestored(Epoch, key, data, expireAtMs);

    // A random live key of this shard; nil when it has none.
    private Reply RandomKey(long nowMs)
    {
        for (var tries = 0; tries < 100 && _map.TryGetRandom(Random.Shared, out var value); tries++)
            if (IsLive(value, nowMs)) return new BulkReply(value.Key.ToArray());

        // Mostly expired keys: look at every key.
        foreach (var value in _map)
            if (IsLive(value, nowMs)) return new BulkReply(value.Key.ToArray());
        return Reply.Nil;
    }

    // Moves the value and its expiry; RENAMENX leaves an existing target alone.
    private Reply Rename(byte[] key, byte[] target, bool onlyIfTargetMissing, long nowMs, List<IShardEvent> events)
    {
        if (!TryGetLive(key, nowMs, out var stored)) return NoSuchKey;
        var same = key.AsSpan().SequenceEqual(target);
        if (onlyIfTargetMissing) return same || TryGetLive(target, nowMs, out _) ? Reply.Zero : Move();
        if (same) return Reply.Ok;
        Move();
        return Reply.Ok;

        Reply Move()
        {
            Emit(events, new KeysDeleted(Epoch, [key]));
            Emit(events, WholeValueSet(target, stored.Payload, stored.ExpireAtMs));
            return Reply.Integer(1);
        }
    }

    private Reply Keys(byte[] pattern, long nowMs)
    {
        var matchAll = pattern is [(byte)'*'];
        var keys = new List<Reply>();
        foreach (var value in _map)
        {
            if (!IsLive(value, nowMs)) continue;
            if (matchAll || GlobPattern.IsMatch(pattern, value.Key)) keys.Add(new BulkReply(value.Key.ToArray()));
        }

        return new ArrayReply([.. keys]);
    }

    /// <summary>
    /// Shard-level SCAN. Arguments: start position, count, then optionally MATCH pattern
    /// (empty for all) and TYPE name (empty for all). Replies [next position or 0 when done, keys]. Walks keys in
    /// <see cref="ScanPosition"/> order; keys sharing the last position are all returned.
    /// </summary>
    private Reply Scan(byte[][] arguments, long nowMs)
    {
        if (!IntegerText.TryParse(arguments[0], out var start) || !IntegerText.TryParse(arguments[1], out var count) || count < 1)
            return Errors.Syntax;
        var pattern = arguments.Length > 2 && arguments[2].Length > 0 ? arguments[2] : null;
        var type = arguments.Length > 3 && arguments[3].Length > 0 ? arguments[3] : null;

        var candidates = new List<(long Position, StoredValue Entry)>();
        foreach (var value in _map)
        {
            var position = ScanPosition(value.Key);
            if (position >= start && IsLive(value, nowMs)) candidates.Add((position, value));
        }

        candidates.Sort(static (a, b) => a.Position.CompareTo(b.Position));
        var take = (int)Math.Min(count, candidates.Count);
        while (take > 0 && take < candidates.Count && candidates[take].Position == candidates[take - 1].Position) take++;

        var keys = new List<Reply>(take);
        for (var i = 0; i < take; i++)
            if ((pattern is null || GlobPattern.IsMatch(pattern, candidates[i].Entry.Key))
                && (type is null || System.Text.Ascii.EqualsIgnoreCase(type, TypeName(candidates[i].Entry.Object))))
                keys.Add(new BulkReply(candidates[i].Entry.Key.ToArray()));

        var next = take < candidates.Count ? candidates[take - 1].Position + 1 : 0;
        if (take == 0) next = 0;
        return new ArrayReply([Reply.Integer(next), new ArrayReply([.. keys])]);
    }
}
