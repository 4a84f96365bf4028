using System.Runtime.Serialization;
using System.Text;
using Akka.Actor;
using Akka.Serialization;

namespace AegisKV.Cluster.Custody;

/// <summary>
/// Binary form of the custody messages between nodes. Each payload starts with a format version byte; manifests
/// are fixed: never change or reuse one.
/// </summary>
public sealed class CustodySerializer : SerializerWithStringManifest
{
    private const byte FormatVersion = 1;
    private const string PrepareManifest = "CP", PromiseManifest = "CR", AcceptManifest = "CA", AcceptedManifest = "CD", MembershipManifest = "CM";

    /// <summary>Creates the serializer; Akka calls this with its system.</summary>
    public CustodySerializer(ExtendedActorSystem system) : base(system)
    {
    }

    /// <inheritdoc />
    public override string Manifest(object o) => o switch
    {
        Prepare => PrepareManifest,
        Promise => PromiseManifest,
        Accept => AcceptManifest,
        Accepted => AcceptedManifest,
        MergeMembership => MembershipManifest,
        _ => throw new ArgumentException($"Cannot serialize {o.GetType()}", nameof(o)),
    };

    /// <inheritdoc />
    public override byte[] ToBinary(object obj)
    {
        using var buffer = new MemoryStream(64);
        using (var w = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(FormatVersion);
            switch (obj)
            {
                case Prepare prepare:
                    w.Write(prepare.RoundId);
                    w.Write(prepare.Key);
                    CustodyState.WriteBallot(w, prepare.Ballot);
                    break;
                case Promise promise:
                    w.Write(promise.RoundId);
                    w.Write(promise.NodeId);
                    w.Write(promise.Granted);
                    CustodyState.WriteBallot(w, promise.Register.Promised);
                    CustodyState.WriteBallot(w, promise.Register.Accepted);
                    w.Write(promise.Register.Value is not null);
                    if (promise.Register.Value is not null) w.Write(promise.Register.Value);
                    CustodyState.WriteMembers(w, promise.Members);
                    break;
                case Accept accept:
                    w.Write(accept.RoundId);
                    w.Write(accept.Key);
                    CustodyState.WriteBallot(w, accept.Ballot);
                    w.Write(accept.Value);
                    break;
                case Accepted accepted:
                    w.Write(accepted.RoundId);
                    w.Write(accepted.NodeId);
                    w.Write(accepted.Granted);
                    CustodyState.WriteBallot(w, accepted.Promised);
                    CustodyState.WriteMembers(w, accepted.Members);
                    break;
                case MergeMembership merge:
                    CustodyState.WriteMembers(w, merge.Members);
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
            return Read(bytes, manifest);
        }
        catch (Exception e) when (e is IOException or ArgumentException or OverflowException)
        {
            // Short or damaged bytes from another node: refused like any other message that does not decode.
            throw new SerializationException($"malformed custody message '{manifest}': {e.Message}", e);
        }
    }

    private static object Read(byte[] bytes, string manifest)
    {
        using var r = new BinaryReader(new MemoryStream(bytes), Encoding.UTF8);
        if (r.ReadByte() != FormatVersion) throw new SerializationException($"unknown custody message format {bytes[0]}");
        return manifest switch
        {
            PrepareManifest => new Prepare(r.ReadInt64(), r.ReadString(), CustodyState.ReadBallot(r)),
            PromiseManifest => new Promise(r.ReadInt64(), r.ReadString(), r.ReadBoolean(),
                new Register(CustodyState.ReadBallot(r), CustodyState.ReadBallot(r), r.ReadBoolean() ? r.ReadString() : null), CustodyState.ReadMembers(r)),
            AcceptManifest => new Accept(r.ReadInt64(), r.ReadString(), CustodyState.ReadBallot(r), r.ReadString()),
            AcceptedManifest => new Accepted(r.ReadInt64(), r.ReadString(), r.ReadBoolean(), CustodyState.ReadBallot(r), CustodyState.ReadMembers(r)),
            MembershipManifest => new MergeMembership(CustodyState.ReadMembers(r)),
            _ => throw new SerializationException($"unknown custody manifest '{manifest}'"),
        };
    }
}
