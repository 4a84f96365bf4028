using System.Buffers.Binary;
using System.Runtime.Serialization;
using System.Text;
using Akka.Actor;
using Akka.Serialization;

namespace AegisKV.Cluster.PubSub;

/// <summary>Binary format of <see cref="ChannelMessage"/>: a version byte, then lengths and bytes. Never change a manifest.</summary>
public sealed class PubSubSerializer : SerializerWithStringManifest
{
    private const byte FormatVersion = 1;
    private const string ChannelMessageManifest = "CM";

    /// <summary>Creates the serializer; Akka calls this with its system.</summary>
    public PubSubSerializer(ExtendedActorSystem system) : base(system)
    {
    }

    /// <inheritdoc />
    public override string Manifest(object o) =>
        o is ChannelMessage ? ChannelMessageManifest : throw new ArgumentException($"Cannot serialize {o.GetType()}", nameof(o));

    /// <inheritdoc />
    public override byte[] ToBinary(object obj)
    {
        if (obj is not ChannelMessage message) throw new ArgumentException($"Cannot serialize {obj.GetType()}", nameof(obj));
        var origin = Encoding.UTF8.GetBytes(message.Origin);
        var bytes = new byte[2 + 12 + origin.Length + message.Channel.Length + message.Message.Length];
        var at = 0;
        bytes[at++] = FormatVersion;
        bytes[at++] = message.Sharded ? (byte)1 : (byte)0;
        foreach (var part in new[] { origin, message.Channel, message.Message })
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at), part.Length);
            part.CopyTo(bytes, at + 4);
            at += 4 + part.Length;
        }

        return bytes;
    }

    /// <inheritdoc />
    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (manifest != ChannelMessageManifest) throw new SerializationException($"Unknown manifest '{manifest}'");
        if (bytes.Length < 2 || bytes[0] != FormatVersion) throw new SerializationException("Unknown format version of a channel message");
        var at = 2;
        var origin = Part(bytes, ref at);
        var channel = Part(bytes, ref at);
        var payload = Part(bytes, ref at);
        if (at != bytes.Length) throw new SerializationException("Trailing bytes after a channel message");
        return new ChannelMessage(Encoding.UTF8.GetString(origin), channel, payload, bytes[1] != 0);
    }

    private static byte[] Part(byte[] bytes, ref int at)
    {
        if (bytes.Length - at < 4) throw new SerializationException("A channel message ends early");
        var length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at));
        if (length < 0 || length > bytes.Length - at - 4) throw new SerializationException("A channel message ends early");
        var part = bytes.AsSpan(at + 4, length).ToArray();
        at += 4 + length;
        return part;
    }
}
