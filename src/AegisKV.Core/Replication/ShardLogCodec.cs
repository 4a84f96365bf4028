using Akka.Actor;
using AegisKV.Core.State;
using AegisKV.Replication;
using AegisKV.Storage.Replication;

namespace AegisKV.Core.Replication;

/// <summary>
/// Turns a replicated shard's log entries into WAL records and back. An entry is one record: the events of one
/// command (or transaction) as one <see cref="ShardEvents"/>, or a <see cref="GroupConfigured"/> for the entries the
/// core adds itself. A data entry's payload is its record body, shipped to followers unchanged.
/// </summary>
public sealed class ShardLogCodec(ActorSystem system, string persistenceId)
{
    private readonly Akka.Serialization.Serialization _serialization = system.Serialization;

    /// <summary>The persistence id the records are written under.</summary>
    public string PersistenceId { get; } = persistenceId;

    /// <summary>The record body of a data entry holding <paramref name="events"/>.</summary>
    public byte[] EncodeData(long sequence, long epoch, IReadOnlyList<IShardEvent> events) =>
        Encode(sequence, epoch, events.Count == 1 ? events[0] : new ShardEvents(epoch, [.. events]));

    /// <summary>The record to write for <paramref name="entry"/>.</summary>
    public ReplicatedRecord Record(LogEntry entry) =>
        new(entry.Sequence, entry.Epoch, true, entry.Kind == EntryKind.Data
            ? entry.Payload.ToArray()
            : Encode(entry.Sequence, entry.Epoch, new GroupConfigured(entry.Epoch, entry.StartsEpoch, [.. entry.Configuration!.Members])));

    /// <summary>The entry a record holds.</summary>
    /// <exception cref="InvalidDataException">It holds no shard event.</exception>
    public LogEntry Entry(ReplicatedRecord record)
    {
        var e = Event(record.Body);
        return e is GroupConfigured configured
            ? new LogEntry(record.Epoch, record.SequenceNr, ReadOnlyMemory<byte>.Empty, configured.StartsEpoch ? EntryKind.EpochStart : EntryKind.Configuration,
                new GroupConfiguration(configured.Members))
            : new LogEntry(record.Epoch, record.SequenceNr, record.Body);
    }

    /// <summary>The shard event a record body holds.</summary>
    /// <exception cref="InvalidDataException">It holds none.</exception>
    public IShardEvent Event(ReadOnlySpan<byte> body)
    {
        if (!WalReplicaLog.TryDecodeEvent(body, out var decoded))
            throw new InvalidDataException($"a record of {PersistenceId} is not an event");
        return _serialization.Deserialize(decoded.Payload, decoded.SerializerId, decoded.SerializerManifest) as IShardEvent
               ?? throw new InvalidDataException($"record {decoded.SequenceNr} of {PersistenceId} holds no shard event");
    }

    private byte[] Encode(long sequence, long epoch, IShardEvent e)
    {
        var serializer = _serialization.FindSerializerFor(e);
        var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, e);
        return WalReplicaLog.EncodeEvent(PersistenceId, sequence, epoch, serializer.Identifier, manifest, serializer.ToBinary(e));
    }
}
