using System.Runtime.Serialization;
using System.Text;
using Akka.Actor;
using Akka.Serialization;

namespace AegisKV.Cluster.Monitoring;

/// <summary>
/// Binary form of the monitoring messages between nodes: a format version byte, then the fields in order. Manifests are
/// fixed: never change or reuse one.
/// </summary>
public sealed class MonitoringSerializer : SerializerWithStringManifest
{
    private const byte FormatVersion = 1;
    private const string GetFiguresManifest = "GF", FiguresManifest = "NF";

    /// <summary>Creates the serializer; Akka calls this with its system.</summary>
    public MonitoringSerializer(ExtendedActorSystem system) : base(system)
    {
    }

    /// <inheritdoc />
    public override string Manifest(object o) => o switch
    {
        GetNodeFigures => GetFiguresManifest,
        NodeFigures => FiguresManifest,
        _ => throw new ArgumentException($"Cannot serialize {o.GetType()}", nameof(o)),
    };

    /// <inheritdoc />
    public override byte[] ToBinary(object obj)
    {
        using var buffer = new MemoryStream(128);
        using (var w = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(FormatVersion);
            switch (obj)
            {
                case GetNodeFigures:
                    break;
                case NodeFigures f:
                    w.Write(f.NodeId);
                    w.Write(f.UptimeSeconds);
                    w.Write(f.Ready);
                    w.Write(f.OpsPerSecond);
                    w.Write(f.ErrorsPerSecond);
                    w.Write(f.P99Micros);
                    w.Write(f.MemoryUsedBytes);
                    w.Write(f.MemoryMaxBytes);
                    w.Write(f.DiskFreeBytes);
                    w.Write(f.DiskTotalBytes);
                    w.Write(f.FsyncP99Micros);
                    w.Write(f.FsyncsPerSecond);
                    w.Write(f.Connections);
                    w.Write(f.Keys);
                    w.Write(f.ShardsServing);
                    w.Write(f.BreakersOpen);
                    w.Write(f.GroupsUnderReplicated);
                    break;
                default:
                    throw new ArgumentException($"Cannot serialize {obj.GetType()}", nameof(obj));
            }
        }

        return buffer.ToArray();
    }

    /// <inheritdoc />
    public override object FromBinary(byte[] bytes, string manifest)
    {
        try
        {
            using var r = new BinaryReader(new MemoryStream(bytes), Encoding.UTF8);
            if (r.ReadByte() != FormatVersion) throw new SerializationException($"unknown monitoring message format {bytes[0]}");
            object message = manifest switch
            {
                GetFiguresManifest => GetNodeFigures.Instance,
                FiguresManifest => new NodeFigures(r.ReadString(), r.ReadInt64(), r.ReadBoolean(), r.ReadDouble(), r.ReadDouble(), r.ReadInt64(),
                    r.ReadInt64(), r.ReadInt64(), r.ReadInt64(), r.ReadInt64(), r.ReadInt64(), r.ReadDouble(), r.ReadInt64(), r.ReadInt64(),
                    r.ReadInt32(), r.ReadInt32(), r.ReadInt32()),
                _ => throw new SerializationException($"unknown monitoring manifest '{manifest}'"),
            };
            if (r.BaseStream.Position != bytes.Length) throw new SerializationException($"trailing bytes after monitoring message '{manifest}'");
            return message;
        }
        catch (Exception e) when (e is IOException or ArgumentException or OverflowException or FormatException)
        {
            // Short or damaged bytes from another node: refused like any other message that does not decode.
            throw new SerializationException($"malformed monitoring message '{manifest}': {e.Message}", e);
        }
    }
}
