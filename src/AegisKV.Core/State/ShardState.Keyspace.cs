using AegisKV.Core.Replies;

namespace AegisKV.Core.State;

// Commands over several keys that run as one step on one shard (the connection has checked that all
// their keys are here): MSETNX, RENAME, RENAMENX.
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
            Emit(events, new ValueSet(Epoch, target, stored.Value, stored.ExpireAtMs));
            return Reply.Integer(1);
        }
    }
}
