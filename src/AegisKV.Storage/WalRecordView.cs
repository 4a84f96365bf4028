using System.Text;

namespace AegisKV.Storage;

/// <summary>A parsed record body; spans point into the buffer the body was read into.</summary>
internal readonly ref struct WalRecordView
{
    public WalRecordType Type { get; init; }
    public byte Flags { get; init; }
    public long SequenceNr { get; init; }
    public long Epoch { get; init; }
    public ReadOnlySpan<byte> PersistenceIdUtf8 { get; init; }

    // Event fields.
    public long Timestamp { get; init; }
    public ReadOnlySpan<byte> WriterGuidUtf8 { get; init; }
    public ReadOnlySpan<byte> ManifestUtf8 { get; init; }
    public int SerializerId { get; init; }
    public ReadOnlySpan<byte> SerializerManifestUtf8 { get; init; }
    public ReadOnlySpan<byte> Payload { get; init; }

    // Deletion marker field.
    public long HighestSequenceNr { get; init; }

    public bool MoreInAtomicWrite => (Flags & WalRecordCodec.FlagMoreInAtomicWrite) != 0;

    public string PersistenceId => Encoding.UTF8.GetString(PersistenceIdUtf8);
}
