using Akka.Actor;
using Akka.Serialization;
using AegisKV.Core.Commands;
using AegisKV.Core.Replies;
using AegisKV.Core.Sharding;
using AegisKV.Core.State;
using AegisKV.Storage;

namespace AegisKV.Core.Serialization;

/// <summary>
/// Compact binary format for everything a shard sends over the wire or writes to disk.
/// Each payload starts with a format version byte. Manifests are short and fixed: never
/// change or reuse one; a new shape gets a new manifest or a new version.
/// </summary>
public sealed partial class ShardMessageSerializer : SerializerWithStringManifest, IStreamingSerializer, IScratchSerializer
{
    /// <summary>Version written first in every payload.</summary>
    public const byte FormatVersion = 1;

    // "Q" belonged to a single-command request, since retired: never reuse it.
    internal const string ShardBatchManifest = "QB";
    internal const string AtomicBatchManifest = "QT";
    internal const string ShardBatchReplyManifest = "PB";
    internal const string RecoverShardManifest = "RS";
    internal const string ShardRecoveredManifest = "RD";
    internal const string StopShardManifest = "X";
    internal const string GetShardStatsManifest = "GS";
    internal const string ShardStatsManifest = "ST";
    internal const string ReplyManifest = "P";
    internal const string ValueSetManifest = "VS";
    internal const string KeysDeletedManifest = "KD";
    internal const string ExpirySetManifest = "ES";
    internal const string ShardClearedManifest = "SC";
    internal const string EpochStartedManifest = "EP";
    // "SN" snapshots hold strings only (written before hashes); "S2" entries carry a typed value.
    internal const string StringSnapshotManifest = "SN";
    internal const string SnapshotManifest = "S2";
    internal const string HashFieldsSetManifest = "HS";
    internal const string HashFieldsDeletedManifest = "HD";
    internal const string HashFieldsExpirySetManifest = "HX";
    internal const string EntryRestoredManifest = "ER";
    internal const string ShardEventsManifest = "EB";
    internal const string GroupConfiguredManifest = "GC";
    internal const string CancelBlockedManifest = "CB";
    internal const string ListPushedManifest = "LP";
    internal const string ListTrimmedManifest = "LT";
    internal const string ListSplicedManifest = "LS";
    internal const string ListElementsRemovedManifest = "LR";

    /// <summary>Creates the serializer; Akka calls this with its system.</summary>
    public ShardMessageSerializer(ExtendedActorSystem system) : base(system)
    {
    }

    /// <inheritdoc />
    public override string Manifest(object o) => o switch
    {
        ShardBatch { Atomic: true } => AtomicBatchManifest,
        ShardBatch => ShardBatchManifest,
        ShardBatchReply => ShardBatchReplyManifest,
        ValueSet => ValueSetManifest,
        Reply => ReplyManifest,
        KeysDeleted => KeysDeletedManifest,
        ExpirySet => ExpirySetManifest,
        ShardCleared => ShardClearedManifest,
        EpochStarted => EpochStartedManifest,
        ShardSnapshot => SnapshotManifest,
        HashFieldsSet => HashFieldsSetManifest,
        HashFieldsDeleted => HashFieldsDeletedManifest,
        HashFieldsExpirySet => HashFieldsExpirySetManifest,
        EntryRestored => EntryRestoredManifest,
        ShardEvents => ShardEventsManifest,
        GroupConfigured => GroupConfiguredManifest,
        CancelBlocked => CancelBlockedManifest,
        ListPushed => ListPushedManifest,
        ListTrimmed => ListTrimmedManifest,
        ListSpliced => ListSplicedManifest,
        ListElementsRemoved => ListElementsRemovedManifest,
        RecoverShard => RecoverShardManifest,
        ShardRecovered => ShardRecoveredManifest,
        StopShard => StopShardManifest,
        GetShardStats => GetShardStatsManifest,
        ShardStats => ShardStatsManifest,
        _ => throw new ArgumentException($"Cannot serialize {o.GetType()}", nameof(o)),
    };

    /// <inheritdoc />
    public override byte[] ToBinary(object obj)
    {
        // A snapshot is written into a buffer of exactly its size: it can be large, and is not copied again.
        var w = new WireWriter(obj is ShardSnapshot whole ? ArraySize(SnapshotSize(whole)) : 64);
        Write(w, obj);
        return w.ToArray();
    }

    private void Write(WireWriter w, object obj)
    {
        w.Byte(FormatVersion);
        switch (obj)
        {
            case ShardBatch batch:
                w.Int32(batch.ShardId);
                w.Int64(batch.RequestId);
                w.VarUInt((ulong)batch.Commands.Length);
                foreach (var command in batch.Commands)
                {
                    w.Byte((byte)command.Command);
                    w.VarUInt((ulong)command.Arguments.Length);
                    foreach (var argument in command.Arguments) w.Bytes(argument);
                }

                break;
            case ShardBatchReply batchReply:
                w.Int64(batchReply.RequestId);
                w.VarUInt((ulong)batchReply.Replies.Length);
                foreach (var item in batchReply.Replies) ReplyCodec.Write(w, item);
                break;
            case ValueSet set:
                w.Int64(set.Epoch);
                w.Bytes(set.Key);
                w.Bytes(set.Value);
                w.Int64(set.ExpireAtMs);
                break;
            case Reply reply:
                ReplyCodec.Write(w, reply);
                break;
            case KeysDeleted deleted:
                w.Int64(deleted.Epoch);
                WriteByteArrays(w, deleted.Keys);
                break;
            case ExpirySet expiry:
                w.Int64(expiry.Epoch);
                w.Bytes(expiry.Key);
                w.Int64(expiry.ExpireAtMs);
                break;
            case ShardCleared cleared:
                w.Int64(cleared.Epoch);
                break;
            case EpochStarted started:
                w.Int64(started.Epoch);
                break;
            case ShardEvents batch:
                w.Int64(batch.Epoch);
                w.VarUInt((ulong)batch.Events.Length);
                foreach (var inner in batch.Events)
                {
                    w.Bytes(System.Text.Encoding.ASCII.GetBytes(Manifest(inner)));
                    w.Bytes(ToBinary(inner));
                }

                break;
            case GroupConfigured configured:
                w.Int64(configured.Epoch);
                w.Byte(configured.StartsEpoch ? (byte)1 : (byte)0);
                w.VarUInt((ulong)configured.Members.Length);
                foreach (var member in configured.Members) w.Bytes(System.Text.Encoding.UTF8.GetBytes(member));
                break;
            case ShardSnapshot snapshot:
                WriteSnapshot(w, snapshot);
                break;
            case HashFieldsSet hashSet:
                w.Int64(hashSet.Epoch);
                w.Bytes(hashSet.Key);
                WriteByteArrays(w, hashSet.FieldsAndValues);
                w.Byte(hashSet.KeepTtl ? (byte)1 : (byte)0);
                break;
            case HashFieldsDeleted hashDeleted:
                w.Int64(hashDeleted.Epoch);
                w.Bytes(hashDeleted.Key);
                WriteByteArrays(w, hashDeleted.Fields);
                break;
            case HashFieldsExpirySet hashExpiry:
                w.Int64(hashExpiry.Epoch);
                w.Bytes(hashExpiry.Key);
                WriteByteArrays(w, hashExpiry.Fields);
                w.Int64(hashExpiry.ExpireAtMs);
                break;
            case EntryRestored restored:
                w.Int64(restored.Epoch);
                w.Bytes(restored.Key);
                ValueCodec.Write(w, restored.Data);
                w.Int64(restored.ExpireAtMs);
                break;
            case CancelBlocked cancel:
                w.Int32(cancel.ShardId);
                w.Int64(cancel.RequestId);
                break;
            case ListPushed pushed:
                w.Int64(pushed.Epoch);
                w.Bytes(pushed.Key);
                w.Byte(pushed.Left ? (byte)1 : (byte)0);
                WriteByteArrays(w, pushed.Elements);
                w.Int64(pushed.Generation);
                break;
            case ListTrimmed trimmed:
                w.Int64(trimmed.Epoch);
                w.Bytes(trimmed.Key);
                w.VarUInt((ulong)trimmed.Start);
                w.VarUInt((ulong)trimmed.Count);
                w.Int64(trimmed.Generation);
                break;
            case ListSpliced spliced:
                w.Int64(spliced.Epoch);
                w.Bytes(spliced.Key);
                w.VarUInt((ulong)spliced.Index);
                w.VarUInt((ulong)spliced.Removed);
                WriteByteArrays(w, spliced.Inserted);
                w.Int64(spliced.Generation);
                break;
            case ListElementsRemoved removed:
                w.Int64(removed.Epoch);
                w.Bytes(removed.Key);
                w.VarUInt((ulong)removed.Indexes.Length);
                foreach (var index in removed.Indexes) w.VarUInt((ulong)index);
                w.Int64(removed.Generation);
                break;
            case RecoverShard recover:
                w.Int32(recover.ShardId);
                break;
            case ShardRecovered recovered:
                w.Int32(recovered.ShardId);
                w.Int64(recovered.Keys);
                w.Int64(recovered.Epoch);
                break;
            case StopShard:
                break;
            case GetShardStats get:
                w.Int32(get.ShardId);
                break;
            case ShardStats stats:
                w.Int32(stats.ShardId);
                w.Int64(stats.Keys);
                w.Int64(stats.Bytes);
                w.Int64(stats.Epoch);
                w.Byte((byte)stats.Mode);
                w.Int64(stats.Lag);
                break;
            default:
                throw new ArgumentException($"Cannot serialize {obj.GetType()}", nameof(obj));
        }
    }

    /// <inheritdoc />
    public override object FromBinary(byte[] bytes, string manifest) => ReadFrom(bytes, manifest);

    /// <inheritdoc />
    public object ReadFrom(ReadOnlySpan<byte> bytes, string manifest)
    {
        var r = new WireReader(bytes);
        var version = r.Byte();
        if (version != FormatVersion)
            throw new System.Runtime.Serialization.SerializationException($"Unknown format version {version} for manifest '{manifest}'");
        return manifest switch
        {
            ShardBatchManifest => ReadShardBatch(ref r, atomic: false),
            AtomicBatchManifest => ReadShardBatch(ref r, atomic: true),
            ShardBatchReplyManifest => new ShardBatchReply(r.Int64(), ReplyCodec.ReadAll(ref r)),
            ValueSetManifest => new ValueSet(r.Int64(), r.Bytes(), r.Bytes(), r.Int64()),
            ReplyManifest => ReplyCodec.Read(ref r),
            KeysDeletedManifest => new KeysDeleted(r.Int64(), ReadByteArrays(ref r)),
            ExpirySetManifest => new ExpirySet(r.Int64(), r.Bytes(), r.Int64()),
            ShardClearedManifest => new ShardCleared(r.Int64()),
            EpochStartedManifest => new EpochStarted(r.Int64()),
            ShardEventsManifest => ReadShardEvents(ref r),
            GroupConfiguredManifest => new GroupConfigured(r.Int64(), r.Byte() != 0, ReadStrings(ref r)),
            SnapshotManifest => ReadSnapshot(ref r, typed: true),
            StringSnapshotManifest => ReadSnapshot(ref r, typed: false),
            HashFieldsSetManifest => new HashFieldsSet(r.Int64(), r.Bytes(), ReadByteArrays(ref r), r.Byte() != 0),
            HashFieldsDeletedManifest => new HashFieldsDeleted(r.Int64(), r.Bytes(), ReadByteArrays(ref r)),
            HashFieldsExpirySetManifest => new HashFieldsExpirySet(r.Int64(), r.Bytes(), ReadByteArrays(ref r), r.Int64()),
            EntryRestoredManifest => new EntryRestored(r.Int64(), r.Bytes(), ValueCodec.Read(ref r), r.Int64()),
            CancelBlockedManifest => new CancelBlocked(r.Int32(), r.Int64()),
            ListPushedManifest => new ListPushed(r.Int64(), r.Bytes(), r.Byte() != 0, ReadByteArrays(ref r), r.Int64()),
            ListTrimmedManifest => new ListTrimmed(r.Int64(), r.Bytes(), r.Index(), r.Index(), r.Int64()),
            ListSplicedManifest => new ListSpliced(r.Int64(), r.Bytes(), r.Index(), r.Index(), ReadByteArrays(ref r), r.Int64()),
            ListElementsRemovedManifest => ReadListElementsRemoved(ref r),
            RecoverShardManifest => new RecoverShard(r.Int32()),
            ShardRecoveredManifest => new ShardRecovered(r.Int32(), r.Int64(), r.Int64()),
            StopShardManifest => StopShard.Instance,
            GetShardStatsManifest => new GetShardStats(r.Int32()),
            // The lag came later: a node without it sends none.
            ShardStatsManifest => new ShardStats(r.Int32(), r.Int64(), r.Int64(), r.Int64(), (ShardMode)r.Byte(), r.Remaining >= 8 ? r.Int64() : -1),
            _ => throw new System.Runtime.Serialization.SerializationException($"Unknown manifest '{manifest}'"),
        };
    }

    private static ShardBatch ReadShardBatch(ref WireReader r, bool atomic)
    {
        var shard = r.Int32();
        var requestId = r.Int64();
        var commands = new ShardCommand[r.Count()];
        for (var i = 0; i < commands.Length; i++)
        {
            var command = (CommandId)r.Byte();
            commands[i] = new ShardCommand(command, ReadByteArrays(ref r));
        }

        return new ShardBatch(shard, requestId, commands, atomic);
    }

    private static ListElementsRemoved ReadListElementsRemoved(ref WireReader r)
    {
        var epoch = r.Int64();
        var key = r.Bytes();
        var indexes = new int[r.Count()];
        for (var i = 0; i < indexes.Length; i++) indexes[i] = r.Index();
        return new ListElementsRemoved(epoch, key, indexes, r.Int64());
    }


    private ShardEvents ReadShardEvents(ref WireReader r)
    {
        var epoch = r.Int64();
        var events = new IShardEvent[r.Count()];
        for (var i = 0; i < events.Length; i++)
        {
            var manifest = System.Text.Encoding.ASCII.GetString(r.Bytes());
            events[i] = (IShardEvent)FromBinary(r.Bytes(), manifest);
        }

        return new ShardEvents(epoch, events);
    }

    private static string[] ReadStrings(ref WireReader r)
    {
        var strings = new string[r.Count()];
        for (var i = 0; i < strings.Length; i++) strings[i] = System.Text.Encoding.UTF8.GetString(r.Bytes());
        return strings;
    }

    private static byte[][] ReadByteArrays(ref WireReader r)
    {
        var items = new byte[r.Count()][];
        for (var i = 0; i < items.Length; i++) items[i] = r.Bytes();
        return items;
    }

    private static ShardSnapshot ReadSnapshot(ref WireReader r, bool typed)
    {
        var epoch = r.Int64();
        var entries = new SnapshotEntry[r.Count()];
        for (var i = 0; i < entries.Length; i++)
        {
            var key = r.Span();
            var record = typed ? ValueCodec.ReadRecord(ref r, key) : KeyRecord.ForString(key, r.Span());
            entries[i] = new SnapshotEntry(record, r.Int64());
        }

        return new ShardSnapshot(epoch, entries);
    }

    /// <inheritdoc />
    public long StreamedSize(object obj) => obj is ShardSnapshot snapshot ? SnapshotSize(snapshot) : -1;

    /// <inheritdoc />
    public void WriteTo(object obj, Stream stream)
    {
        var w = new WireWriter(stream);
        w.Byte(FormatVersion);
        WriteSnapshot(w, (ShardSnapshot)obj);
        w.Flush();
    }

    private static void WriteSnapshot(WireWriter w, ShardSnapshot snapshot)
    {
        w.Int64(snapshot.Epoch);
        w.VarUInt((ulong)snapshot.Entries.Length);
        foreach (var entry in snapshot.Entries)
        {
            w.Bytes(entry.Key);
            ValueCodec.WriteRecordValue(w, entry.Record);
            w.Int64(entry.ExpireAtMs);
        }
    }

    private static long SnapshotSize(ShardSnapshot snapshot)
    {
        var size = 1L + 8 + AegisKV.Storage.VarInt.Size((ulong)snapshot.Entries.Length);
        foreach (var entry in snapshot.Entries) size += WireWriter.BytesSize(entry.Key.Length) + ValueCodec.RecordValueSize(entry.Record) + 8;
        return size;
    }

    private static int ArraySize(long size) =>
        size <= Array.MaxLength ? (int)size : throw new InvalidOperationException($"a shard snapshot of {size} bytes is larger than one array can hold");

    private static void WriteByteArrays(WireWriter w, byte[][] items)
    {
        w.VarUInt((ulong)items.Length);
        foreach (var item in items) w.Bytes(item);
    }
}
