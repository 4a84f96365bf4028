using System.Buffers.Binary;
using System.Text;

namespace AegisKV.Storage;

/// <summary>
/// The durable high-water mark of every persistence id, kept apart from the segments in
/// <c>wal/checkpoint</c>: the highest sequence number each id had written and synced when it was
/// saved (saved again at once after a truncation lowers one). On start-up an id whose records do not reach its mark has lost acknowledged records, even
/// when the damage left no trace in the segments (its newest record cut off or overwritten).
/// Saved about once a second after a sync, off the write path, and on a clean stop.
/// <code>
///   "AEGISCHK" | u16 version (1) | u16 flags (0) | u32 n | n × (str persistence id | i64 sequence number) | u32 CRC-32C of all before
/// </code>
/// </summary>
internal static class WalCheckpoint
{
    public const string FileName = "checkpoint";
    private const ushort Version = 1;
    private static ReadOnlySpan<byte> Magic => "AEGISCHK"u8;

    /// <summary>Writes the marks to a temporary file, syncs it and renames it into place.</summary>
    public static void Save(string directory, IReadOnlyCollection<KeyValuePair<string, long>> marks)
    {
        var size = 8 + 2 + 2 + 4 + 4;
        foreach (var (id, _) in marks)
            size += 2 + Encoding.UTF8.GetByteCount(id) + 8;
        var bytes = new byte[size];
        var span = bytes.AsSpan();
        Magic.CopyTo(span);
        BinaryPrimitives.WriteUInt16LittleEndian(span[8..], Version);
        BinaryPrimitives.WriteInt32LittleEndian(span[12..], marks.Count);
        var position = 16;
        foreach (var (id, sequenceNr) in marks)
        {
            var length = Encoding.UTF8.GetBytes(id, span[(position + 2)..]);
            BinaryPrimitives.WriteUInt16LittleEndian(span[position..], (ushort)length);
            position += 2 + length;
            BinaryPrimitives.WriteInt64LittleEndian(span[position..], sequenceNr);
            position += 8;
        }
        BinaryPrimitives.WriteUInt32LittleEndian(span[position..], Crc32C.Compute(span[..position]));

        FileSystem.ReplaceDurably(Path.Combine(directory, FileName), bytes);
    }

    /// <summary>Reads the marks; empty when there is no checkpoint yet; false with a reason when the file is damaged.</summary>
    public static bool TryLoad(string directory, out Dictionary<string, long> marks, out string? problem)
    {
        marks = new Dictionary<string, long>(StringComparer.Ordinal);
        problem = null;
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
            return true;
        var data = File.ReadAllBytes(path).AsSpan();
        if (data.Length < 20 || !data[..8].SequenceEqual(Magic))
        {
            problem = $"{path} is not a checkpoint file";
            return false;
        }
        if (BinaryPrimitives.ReadUInt32LittleEndian(data[^4..]) != Crc32C.Compute(data[..^4]))
        {
            problem = $"{path} fails its checksum";
            return false;
        }
        if (BinaryPrimitives.ReadUInt16LittleEndian(data[8..]) != Version)
        {
            problem = $"{path} has format version {BinaryPrimitives.ReadUInt16LittleEndian(data[8..])}, this build reads {Version}";
            return false;
        }
        var count = BinaryPrimitives.ReadInt32LittleEndian(data[12..]);
        var position = 16;
        for (var i = 0; i < count; i++)
        {
            var length = BinaryPrimitives.ReadUInt16LittleEndian(data[position..]);
            var id = Encoding.UTF8.GetString(data.Slice(position + 2, length));
            position += 2 + length;
            marks[id] = BinaryPrimitives.ReadInt64LittleEndian(data[position..]);
            position += 8;
        }
        return true;
    }
}
