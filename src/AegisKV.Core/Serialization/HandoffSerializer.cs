using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;
using AegisKV.Core.Sharding;

namespace AegisKV.Core.Serialization;

/// <summary>
/// Binary form of the hand-off messages between nodes. Each payload starts with a format version byte; manifests
/// are fixed: never change or reuse one.
/// </summary>
public sealed class HandoffSerializer : SerializerWithStringManifest
{
    private const byte FormatVersion = 1;
    private const string OfferManifest = "HO", ChunkManifest = "HC", AckManifest = "HA", InstalledManifest = "HI", RefusedManifest = "HR";

    /// <summary>Creates the serializer; Akka calls this with its system.</summary>
    public HandoffSerializer(ExtendedActorSystem system) : base(system)
    {
    }

    /// <inheritdoc />
    public override string Manifest(object o) => o switch
    {
        HandoffOffer => OfferManifest,
        HandoffChunk => ChunkManifest,
        HandoffAck => AckManifest,
        HandoffInstalled => InstalledManifest,
        HandoffRefused => RefusedManifest,
        _ => throw new ArgumentException($"Cannot serialize {o.GetType()}", nameof(o)),
    };

    /// <inheritdoc />
    public override byte[] ToBinary(object obj)
    {
        var w = new WireWriter(obj is HandoffChunk c ? c.Data.Length + 32 : 32);
        w.Byte(FormatVersion);
        w.Int32(((IHandoffMessage)obj).ShardId);
        switch (obj)
        {
            case HandoffOffer offer:
                w.Int64(offer.Epoch);
                w.Int64(offer.Length);
                w.Int32(offer.Chunks);
                w.Int32(unchecked((int)offer.Crc));
                break;
            case HandoffChunk chunk:
                w.Int32(chunk.Index);
                w.Int64(chunk.Offset);
                w.Int32(unchecked((int)chunk.Crc));
                w.Bytes(chunk.Data);
                break;
            case HandoffAck ack:
                w.Int32(ack.Index);
                break;
            case HandoffInstalled:
                break;
            case HandoffRefused refused:
                w.Bytes(System.Text.Encoding.UTF8.GetBytes(refused.Reason));
                break;
            default:
                throw new ArgumentException($"Cannot serialize {obj.GetType()}", nameof(obj));
        }

        return w.ToArray();
    }

    /// <inheritdoc />
    public override object FromBinary(byte[] bytes, string manifest)
    {
        var r = new WireReader(bytes);
        if (r.Byte() != FormatVersion) throw new SerializationException($"unknown hand-off message format {bytes[0]}");
        var shardId = r.Int32();
        return manifest switch
        {
            OfferManifest => new HandoffOffer(shardId, r.Int64(), r.Int64(), r.Int32(), unchecked((uint)r.Int32())),
            ChunkManifest => ReadChunk(shardId, ref r),
            AckManifest => new HandoffAck(shardId, r.Int32()),
            InstalledManifest => new HandoffInstalled(shardId),
            RefusedManifest => new HandoffRefused(shardId, System.Text.Encoding.UTF8.GetString(r.Bytes())),
            _ => throw new SerializationException($"unknown hand-off manifest '{manifest}'"),
        };
    }

    private static HandoffChunk ReadChunk(int shardId, ref WireReader r)
    {
        var index = r.Int32();
        var offset = r.Int64();
        var crc = unchecked((uint)r.Int32());
        return new HandoffChunk(shardId, index, offset, r.Bytes(), crc);
    }
}
