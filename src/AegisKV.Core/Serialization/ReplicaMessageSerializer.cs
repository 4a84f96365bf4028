using System.Runtime.Serialization;
using System.Text;
using Akka.Actor;
using Akka.Serialization;
using AegisKV.Core.Replication;
using AegisKV.Replication;

namespace AegisKV.Core.Serialization;

/// <summary>
/// Binary form of replication messages between nodes (<see cref="ReplicaEnvelope"/>): a format version byte, the
/// shard, a message kind, then its fields; entries and snapshots carry their payloads as they are. Kinds are fixed:
/// never change or reuse one. Fields added later go at the end, read only when present. Placement's questions about
/// a copy (<see cref="GetCopyState"/>, <see cref="CopyState"/>) have manifests of their own. A
/// <see cref="ReplicaBatch"/> is a format version byte, the count, and each envelope's bytes with their length.
/// </summary>
public sealed class ReplicaMessageSerializer : SerializerWithStringManifest
{
    private const byte FormatVersion = 1;
    private const string EnvelopeManifest = "RE", BatchManifest = "RB", GetCopyStateManifest = "GC", CopyStateManifest = "CS";
    private const byte PrepareKind = 1, PromiseKind = 2, RefusalKind = 3, AppendKind = 4, AppendReplyKind = 5, FetchKind = 6, FetchedKind = 7, InstallKind = 8, AbstainKind = 9;

    /// <summary>Creates the serializer; Akka calls this with its system.</summary>
    public ReplicaMessageSerializer(ExtendedActorSystem system) : base(system)
    {
    }

    /// <inheritdoc />
    public override string Manifest(object o) => o switch
    {
        ReplicaEnvelope => EnvelopeManifest,
        ReplicaBatch => BatchManifest,
        GetCopyState => GetCopyStateManifest,
        CopyState => CopyStateManifest,
        _ => throw new ArgumentException($"Cannot serialize {o.GetType()}", nameof(o)),
    };

    /// <inheritdoc />
    public override byte[] ToBinary(object obj) => obj switch
    {
        ReplicaEnvelope envelope => EnvelopeToBinary(envelope),
        ReplicaBatch batch => BatchToBinary(batch),
        GetCopyState get => GetCopyStateToBinary(get),
        CopyState state => CopyStateToBinary(state),
        _ => throw new ArgumentException($"Cannot serialize {obj.GetType()}", nameof(obj)),
    };

    private static byte[] GetCopyStateToBinary(GetCopyState get)
    {
        var w = new WireWriter(4);
        w.Int32(get.ShardId);
        return w.ToArray();
    }

    private static byte[] CopyStateToBinary(CopyState state)
    {
        var w = new WireWriter(64);
        w.Int32(state.ShardId);
        WriteString(w, state.Member);
        w.Byte((byte)((state.Leads ? 1 : 0) | (state.Rejoining ? 2 : 0) | (state.Starting ? 4 : 0)));
        w.Int64(state.LastEpoch);
        w.Int64(state.LastSequence);
        w.Int64(state.Commit);
        w.VarUInt((ulong)state.InSync.Count);
        foreach (var member in state.InSync) WriteString(w, member);
        return w.ToArray();
    }

    private static CopyState CopyStateFromBinary(byte[] bytes)
    {
        var r = new WireReader(bytes);
        var (shardId, member, flags) = (r.Int32(), ReadString(ref r), r.Byte());
        var (lastEpoch, lastSequence, commit) = (r.Int64(), r.Int64(), r.Int64());
        var inSync = new string[r.Count()];
        for (var i = 0; i < inSync.Length; i++) inSync[i] = ReadString(ref r);
        return new CopyState(shardId, member, (flags & 1) != 0, (flags & 2) != 0, lastEpoch, lastSequence, commit, inSync, (flags & 4) != 0);
    }

    private static byte[] EnvelopeToBinary(ReplicaEnvelope envelope)
    {
        var w = new WireWriter(EnvelopeSize(envelope));
        WriteEnvelope(w, envelope);
        return w.ToArray();
    }

    private static byte[] BatchToBinary(ReplicaBatch batch)
    {
        var size = 8;
        foreach (var envelope in batch.Envelopes) size += EnvelopeSize(envelope) + 4;
        var w = new WireWriter(size);
        w.Byte(FormatVersion);
        w.VarUInt((ulong)batch.Envelopes.Count);
        var scratch = new WireWriter(256);
        foreach (var envelope in batch.Envelopes)
        {
            scratch.Reset();
            WriteEnvelope(scratch, envelope);
            w.Bytes(scratch.Written);
        }

        return w.ToArray();
    }

    // A first guess at an envelope's size: right for all but snapshots, whose writer grows once.
    private static int EnvelopeSize(ReplicaEnvelope envelope) => envelope.Message is Append append ? 96 + EntriesSize(append.Entries) : 96;

    private static void WriteEnvelope(WireWriter w, ReplicaEnvelope envelope)
    {
        var message = envelope.Message;
        w.Byte(FormatVersion);
        w.Int32(envelope.ShardId);
        w.Byte(KindOf(message));
        WriteString(w, message.From);
        WriteString(w, message.To);
        WriteEpoch(w, message.Epoch);
        switch (message)
        {
            case Promise promise:
                w.Int64(promise.LastEpoch);
                w.Int64(promise.LastSequence);
                w.Int64(promise.Commit);
                break;
            case Refusal refusal:
                WriteEpoch(w, refusal.Promised);
                break;
            case Append a:
                w.Int64(a.PreviousEpoch);
                w.Int64(a.PreviousSequence);
                WriteEntries(w, a.Entries);
                w.Int64(a.Commit);
                w.Int64(a.SentAt);
                w.Int64(a.RejoinAt);
                break;
            case AppendReply reply:
                // Bit 0: success; bit 1: the member's node is over its memory limit; bit 2: it lost its copy and rejoins.
                w.Byte((byte)((reply.Success ? 1 : 0) | (reply.Full ? 2 : 0) | (reply.Rejoining ? 4 : 0)));
                w.Int64(reply.Match);
                w.Int64(reply.SentAt);
                break;
            case Fetch fetch:
                w.Int64(fetch.After);
                break;
            case Fetched fetched:
                w.Int64(fetched.After);
                WriteEntries(w, fetched.Entries);
                w.Byte(fetched.Image is null ? (byte)0 : (byte)1);
                if (fetched.Image is { } image) WriteImage(w, image);
                break;
            case InstallSnapshot install:
                WriteImage(w, install.Image);
                w.Int64(install.Commit);
                w.Int64(install.SentAt);
                break;
        }
    }

    /// <inheritdoc />
    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (manifest == GetCopyStateManifest) return new GetCopyState(new WireReader(bytes).Int32());
        if (manifest == CopyStateManifest) return CopyStateFromBinary(bytes);
        if (manifest == BatchManifest) return BatchFromBinary(bytes);
        if (manifest != EnvelopeManifest) throw new SerializationException($"Unknown manifest '{manifest}'");
        return ReadEnvelope(bytes);
    }

    private static ReplicaBatch BatchFromBinary(byte[] bytes)
    {
        var r = new WireReader(bytes);
        var version = r.Byte();
        if (version != FormatVersion) throw new SerializationException($"Unknown replication message format version {version}");
        var envelopes = new ReplicaEnvelope[r.Count()];
        for (var i = 0; i < envelopes.Length; i++) envelopes[i] = ReadEnvelope(r.Span());
        return new ReplicaBatch(envelopes);
    }

    private static ReplicaEnvelope ReadEnvelope(ReadOnlySpan<byte> bytes)
    {
        var r = new WireReader(bytes);
        var version = r.Byte();
        if (version != FormatVersion) throw new SerializationException($"Unknown replication message format version {version}");
        var shardId = r.Int32();
        var kind = r.Byte();
        var from = ReadString(ref r);
        var to = ReadString(ref r);
        var epoch = ReadEpoch(ref r);
        ReplicaMessage message = kind switch
        {
            PrepareKind => new Prepare(from, to, epoch),
            PromiseKind => new Promise(from, to, epoch, r.Int64(), r.Int64(), r.Int64()),
            RefusalKind => new Refusal(from, to, epoch, ReadEpoch(ref r)),
            AppendKind => new Append(from, to, epoch, r.Int64(), r.Int64(), ReadEntries(ref r), r.Int64(), r.Int64(), r.Remaining >= 8 ? r.Int64() : 0),
            AppendReplyKind => ReadAppendReply(from, to, epoch, ref r),
            FetchKind => new Fetch(from, to, epoch, r.Int64()),
            FetchedKind => new Fetched(from, to, epoch, r.Int64(), ReadEntries(ref r), r.Byte() != 0 ? ReadImage(ref r) : null),
            InstallKind => new InstallSnapshot(from, to, epoch, ReadImage(ref r), r.Int64(), r.Int64()),
            AbstainKind => new Abstain(from, to, epoch),
            _ => throw new SerializationException($"Unknown replication message kind {kind}"),
        };
        return new ReplicaEnvelope(shardId, message);
    }

    private static byte KindOf(ReplicaMessage message) => message switch
    {
        Prepare => PrepareKind,
        Promise => PromiseKind,
        Refusal => RefusalKind,
        Append => AppendKind,
        AppendReply => AppendReplyKind,
        Fetch => FetchKind,
        Fetched => FetchedKind,
        InstallSnapshot => InstallKind,
        Abstain => AbstainKind,
        _ => throw new ArgumentException($"Cannot serialize {message.GetType()}", nameof(message)),
    };

    private static int EntriesSize(IReadOnlyList<LogEntry> entries)
    {
        var size = 0;
        foreach (var entry in entries) size += entry.Payload.Length + 32;
        return size;
    }

    private static void WriteEntries(WireWriter w, IReadOnlyList<LogEntry> entries)
    {
        w.VarUInt((ulong)entries.Count);
        foreach (var entry in entries)
        {
            w.Int64(entry.Epoch);
            w.Int64(entry.Sequence);
            w.Byte((byte)entry.Kind);
            w.Bytes(entry.Payload.Span);
            WriteConfiguration(w, entry.Configuration);
        }
    }

    private static LogEntry[] ReadEntries(ref WireReader r)
    {
        var entries = new LogEntry[r.Count()];
        for (var i = 0; i < entries.Length; i++)
        {
            var (epoch, sequence, kind) = (r.Int64(), r.Int64(), (EntryKind)r.Byte());
            entries[i] = new LogEntry(epoch, sequence, r.Bytes(), kind, ReadConfiguration(ref r));
        }

        return entries;
    }

    private static void WriteImage(WireWriter w, SnapshotImage image)
    {
        w.Int64(image.Base.Sequence);
        w.Int64(image.Base.Epoch);
        WriteConfiguration(w, image.Base.Configuration);
        w.Bytes(image.Payload.Span);
    }

    private static AppendReply ReadAppendReply(string from, string to, Epoch epoch, ref WireReader r)
    {
        var flags = r.Byte();
        return new AppendReply(from, to, epoch, (flags & 1) != 0, r.Int64(), r.Int64(), (flags & 2) != 0, (flags & 4) != 0);
    }

    private static SnapshotImage ReadImage(ref WireReader r) => new(new SnapshotBase(r.Int64(), r.Int64(), ReadConfiguration(ref r)), r.Bytes());

    private static void WriteConfiguration(WireWriter w, GroupConfiguration? configuration)
    {
        if (configuration is null)
        {
            w.VarUInt(0);
            return;
        }

        // Counted one more than the members, so that an empty group and none differ.
        w.VarUInt((ulong)configuration.Members.Count + 1);
        foreach (var member in configuration.Members) WriteString(w, member);
    }

    private static GroupConfiguration? ReadConfiguration(ref WireReader r)
    {
        var count = r.VarUInt();
        if (count == 0) return null;
        // Each member takes at least a byte: a larger count is damage, and must not size an array.
        if (count - 1 > (ulong)r.Remaining) throw new FormatException("group larger than the remaining data");
        var members = new string[(int)(count - 1)];
        for (var i = 0; i < members.Length; i++) members[i] = ReadString(ref r);
        return new GroupConfiguration(members);
    }

    private static void WriteEpoch(WireWriter w, Epoch epoch)
    {
        w.Int64(epoch.Counter);
        WriteString(w, epoch.Member);
    }

    private static Epoch ReadEpoch(ref WireReader r) => new(r.Int64(), ReadString(ref r));

    // Member ids are short: encoded on the stack, not into an array per field of every message.
    private static void WriteString(WireWriter w, string value)
    {
        if (value.Length > 128)
        {
            w.Bytes(Encoding.UTF8.GetBytes(value));
            return;
        }

        Span<byte> utf8 = stackalloc byte[128 * 3];
        w.Bytes(utf8[..Encoding.UTF8.GetBytes(value, utf8)]);
    }

    private static string ReadString(ref WireReader r) => Encoding.UTF8.GetString(r.Bytes());
}
