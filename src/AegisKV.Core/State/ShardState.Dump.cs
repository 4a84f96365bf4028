using System.Buffers.Binary;
using System.IO.Hashing;
using AegisKV.Core.Replies;
using AegisKV.Core.Serialization;

namespace AegisKV.Core.State;

// DUMP and RESTORE with AegisKV's own payload (not Redis's RDB encoding): the typed value as snapshots
// store it, a 2-byte format version, and a CRC64 of everything before, so a damaged or foreign payload
// is refused instead of restored.
public sealed partial class ShardState
{
    /// <summary>Version of the DUMP payload format; RESTORE refuses any other.</summary>
    public const ushort DumpVersion = 1;

    private static readonly ErrorReply BadPayload = Errors.Text("ERR DUMP payload version or checksum are wrong");
    private static readonly ErrorReply BusyKey = Errors.Text("BUSYKEY Target key name already exists.");
    private static readonly ErrorReply InvalidTtl = Errors.Text("ERR Invalid TTL value, must be >= 0");

    /// <summary>The DUMP payload of a value (<c>byte[]</c>, <see cref="HashValue"/> or <see cref="ListValue"/>).</summary>
    public static byte[] DumpPayload(object data)
    {
        var w = new WireWriter(64);
        ValueCodec.Write(w, data);
        Span<byte> version = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(version, DumpVersion);
        w.Raw(version);
        var body = w.ToArray();
        var payload = new byte[body.Length + 8];
        body.CopyTo(payload, 0);
        BinaryPrimitives.WriteUInt64LittleEndian(payload.AsSpan(body.Length), Crc64.HashToUInt64(body));
        return payload;
    }

    private static bool TryReadPayload(ReadOnlySpan<byte> payload, out object? data)
    {
        data = null;
        if (payload.Length < 11) return false;
        var body = payload[..^8];
        if (BinaryPrimitives.ReadUInt64LittleEndian(payload[^8..]) != Crc64.HashToUInt64(body)) return false;
        if (BinaryPrimitives.ReadUInt16LittleEndian(body[^2..]) != DumpVersion) return false;
        try
        {
            var r = new WireReader(body[..^2]);
            data = ValueCodec.Read(ref r);
            return r.Remaining == 0;
        }
        catch (Exception e) when (e is System.Runtime.Serialization.SerializationException or FormatException)
        {
            return false;
        }
    }

    private Reply Dump(byte[] key, long nowMs)
    {
        if (!TryGetLive(key, nowMs, out var stored)) return Reply.Nil;
        var data = stored.Object is HashValue hash ? hash.WithoutExpired(nowMs) : stored.Payload;
        return new BulkReply(DumpPayload(data));
    }

    // RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]
    private Reply Restore(byte[][] arguments, long nowMs, List<IShardEvent> events)
    {
        if (!IntegerText.TryParse(arguments[1], out var ttl)) return Errors.NotInteger;
        bool replace = false, absolute = false;
        for (var i = 3; i < arguments.Length; i++)
        {
            if (Is(arguments[i], "REPLACE"u8)) replace = true;
            else if (Is(arguments[i], "ABSTTL"u8)) absolute = true;
            else if ((Is(arguments[i], "IDLETIME"u8) || Is(arguments[i], "FREQ"u8)) && i + 1 < arguments.Length)
            {
                // Accepted for compatibility; AegisKV keeps no access statistics to set.
                if (!IntegerText.TryParse(arguments[++i], out var hint)) return Errors.NotInteger;
                if (hint < 0) return Errors.Text("ERR Invalid IDLETIME value, must be >= 0");
            }
            else return Errors.Syntax;
        }

        if (ttl < 0 || (!absolute && ttl > long.MaxValue - nowMs)) return InvalidTtl;
        var exists = TryGetLive(arguments[0], nowMs, out _);
        if (exists && !replace) return BusyKey;
        if (!TryReadPayload(arguments[2], out var data)) return BadPayload;

        var expireAt = ttl == 0 ? 0 : absolute ? ttl : nowMs + ttl;
        if (ttl != 0 && expireAt <= nowMs)
        {
            // Already expired: nothing is created, as in Redis, and a replaced key is gone.
            if (exists) Emit(events, new KeysDeleted(Epoch, [arguments[0]]));
            return Reply.Ok;
        }

        if (data is HashValue { Count: 0 } or ListValue { Count: 0 }) return BadPayload;
        Emit(events, WholeValueSet(arguments[0], data!, expireAt));
        return Reply.Ok;
    }
}
