using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace AegisKV.Storage;

/// <summary>Decoded content of a snapshot file (see <see cref="WalFormat"/> for the layout).</summary>
/// <remarks>A decoded file's <see cref="Payload"/> is a slice of the file's bytes, not a copy.</remarks>
internal sealed record SnapshotFileContent(string PersistenceId, long SequenceNr, long TimestampTicks, int SerializerId, string SerializerManifest, ReadOnlyMemory<byte> Payload);

/// <summary>Encodes, decodes and names snapshot files.</summary>
internal static class SnapshotFile
{
    public static byte[] Encode(string persistenceId, long sequenceNr, long timestampTicks, int serializerId, string serializerManifest, ReadOnlySpan<byte> payload)
    {
        using var file = new MemoryStream();
        WriteTo(file, persistenceId, sequenceNr, timestampTicks, serializerId, serializerManifest, payload);
        return file.ToArray();
    }

    /// <summary>
    /// Writes a snapshot file to <paramref name="stream"/> in pieces (header, fields, payload), so a large
    /// snapshot is never copied into one more buffer of its size.
    /// </summary>
    public static void WriteTo(Stream stream, string persistenceId, long sequenceNr, long timestampTicks, int serializerId, string serializerManifest, ReadOnlySpan<byte> payload)
    {
        var fields = Fields(persistenceId, sequenceNr, timestampTicks, serializerId, serializerManifest, payload.Length);
        Span<byte> header = stackalloc byte[WalFormat.SnapshotHeaderSize];
        Header(header, Crc32C.Compute(fields, payload), (long)fields.Length + payload.Length);
        stream.Write(header);
        stream.Write(fields);
        stream.Write(payload);
    }

    /// <summary>
    /// Writes a snapshot file whose payload <paramref name="writePayload"/> streams, <paramref name="payloadLength"/>
    /// bytes of it: the checksum is taken as it passes, and the header written last, so the payload never has to
    /// be held in memory. <paramref name="stream"/> must be seekable and positioned at the start of the file.
    /// </summary>
    public static void WriteTo(Stream stream, string persistenceId, long sequenceNr, long timestampTicks, int serializerId, string serializerManifest, long payloadLength, Action<Stream> writePayload)
    {
        if (payloadLength > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(payloadLength), payloadLength, "A snapshot payload is at most 2 GiB.");
        var fields = Fields(persistenceId, sequenceNr, timestampTicks, serializerId, serializerManifest, (int)payloadLength);
        Span<byte> header = stackalloc byte[WalFormat.SnapshotHeaderSize];
        header.Clear();
        stream.Write(header); // the real header once the checksum is known
        stream.Write(fields);
        var payload = new ChecksumStream(stream, Crc32C.Append(~0u, fields));
        writePayload(payload);
        if (payload.Written != payloadLength)
            throw new InvalidOperationException($"The snapshot payload was announced as {payloadLength} bytes but {payload.Written} were written.");
        Header(header, ~payload.Crc, fields.Length + payloadLength);
        stream.Position = 0;
        stream.Write(header);
        stream.Position = stream.Length;
    }

    private static byte[] Fields(string persistenceId, long sequenceNr, long timestampTicks, int serializerId, string serializerManifest, int payloadLength)
    {
        var pidLength = Encoding.UTF8.GetByteCount(persistenceId);
        var manifestLength = Encoding.UTF8.GetByteCount(serializerManifest);
        if (pidLength > ushort.MaxValue || manifestLength > ushort.MaxValue)
            throw new ArgumentException("Persistence id or serializer manifest is too long for a snapshot file.");
        var fields = new byte[2 + pidLength + 8 + 8 + 4 + 2 + manifestLength + 4];
        var writer = new SpanWriter(fields);
        writer.WriteString(persistenceId, pidLength);
        writer.WriteInt64(sequenceNr);
        writer.WriteInt64(timestampTicks);
        writer.WriteInt32(serializerId);
        writer.WriteString(serializerManifest, manifestLength);
        writer.WriteInt32(payloadLength);
        return fields;
    }

    private static void Header(Span<byte> header, uint bodyCrc, long bodyLength)
    {
        header.Clear();
        WalFormat.SnapshotMagic.CopyTo(header);
        BinaryPrimitives.WriteUInt16LittleEndian(header[8..], WalFormat.SnapshotVersion);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], bodyCrc);
        BinaryPrimitives.WriteInt64LittleEndian(header[16..], bodyLength);
        BinaryPrimitives.WriteUInt32LittleEndian(header[28..], Crc32C.Compute(header[..28]));
    }

    /// <summary>A snapshot file around <paramref name="body"/> (fields and payload): its header with the body's length and checksum.</summary>
    public static byte[] Seal(ReadOnlySpan<byte> body)
    {
        var file = new byte[WalFormat.SnapshotHeaderSize + body.Length];
        body.CopyTo(file.AsSpan(WalFormat.SnapshotHeaderSize));
        Header(file, Crc32C.Compute(body), body.Length);
        return file;
    }

    /// <summary>Verifies and decodes a snapshot file; on failure returns the bad offset and the reason.</summary>
    public static bool TryDecode(ReadOnlyMemory<byte> fileBytes, out SnapshotFileContent? content, out long badOffset, out string? reason)
    {
        var file = fileBytes.Span;
        content = null;
        badOffset = 0;
        if (file.Length < WalFormat.SnapshotHeaderSize)
        {
            reason = "file shorter than the snapshot header";
            return false;
        }
        var header = file[..WalFormat.SnapshotHeaderSize];
        if (!header[..8].SequenceEqual(WalFormat.SnapshotMagic))
        {
            reason = "bad magic: not an AegisKV snapshot";
            return false;
        }
        if (BinaryPrimitives.ReadUInt32LittleEndian(header[28..]) != Crc32C.Compute(header[..28]))
        {
            reason = "snapshot header checksum mismatch";
            return false;
        }
        var version = BinaryPrimitives.ReadUInt16LittleEndian(header[8..]);
        if (version != WalFormat.SnapshotVersion)
        {
            reason = $"unsupported snapshot format version {version}";
            return false;
        }
        badOffset = WalFormat.SnapshotHeaderSize;
        var bodyLength = BinaryPrimitives.ReadInt64LittleEndian(header[16..]);
        if (bodyLength != file.Length - WalFormat.SnapshotHeaderSize)
        {
            reason = $"body length {bodyLength} does not match the file ({file.Length - WalFormat.SnapshotHeaderSize} bytes after the header)";
            return false;
        }
        var body = file[WalFormat.SnapshotHeaderSize..];
        if (BinaryPrimitives.ReadUInt32LittleEndian(header[12..]) != Crc32C.Compute(body))
        {
            reason = "snapshot body checksum mismatch";
            return false;
        }
        var reader = new SpanReader(body);
        if (!reader.TryReadString(out var pid)
            || !reader.TryReadInt64(out var sequenceNr)
            || !reader.TryReadInt64(out var ticks)
            || !reader.TryReadInt32(out var serializerId)
            || !reader.TryReadString(out var manifest)
            || !reader.TryReadInt32(out var payloadLength)
            || !reader.TryReadBytes(payloadLength, out var payload)
            || !reader.AtEnd)
        {
            reason = "malformed snapshot body";
            return false;
        }
        // The payload is the last field of the body.
        content = new SnapshotFileContent(Encoding.UTF8.GetString(pid), sequenceNr, ticks, serializerId, Encoding.UTF8.GetString(manifest), fileBytes[^payload.Length..]);
        reason = null;
        return true;
    }

    public static string FileName(long sequenceNr, long timestampTicks)
        => string.Create(CultureInfo.InvariantCulture, $"{sequenceNr:D20}-{timestampTicks:D20}{WalFormat.SnapshotFileExtension}");

    public static bool TryParseFileName(string fileName, out long sequenceNr, out long timestampTicks)
    {
        sequenceNr = 0;
        timestampTicks = 0;
        if (!fileName.EndsWith(WalFormat.SnapshotFileExtension, StringComparison.Ordinal))
            return false;
        var stem = fileName.AsSpan(0, fileName.Length - WalFormat.SnapshotFileExtension.Length);
        var dash = stem.IndexOf('-');
        return dash > 0
            && long.TryParse(stem[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out sequenceNr)
            && long.TryParse(stem[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out timestampTicks);
    }
}
