using System.Buffers.Binary;
using System.Text;

namespace AegisKV.Storage;

/// <summary>Encodes and validates records as described on <see cref="WalFormat"/>.</summary>
internal static class WalRecordCodec
{
    public const byte FlagMoreInAtomicWrite = 1;
    public const int FixedPrefix = 20; // type, flags, reserved, sequence number, epoch (format 1 records and markers)
    public const int MinBodyLength = 8; // a lean event: type, flags, four one-byte varints or lengths, two empty strings
    public const int MaxBodyLength = 1 << 30;
    private const int MaxStringBytes = ushort.MaxValue;

    /// <summary>
    /// Appends one framed event record to <paramref name="buffer"/> and returns its total length: lean (format 2)
    /// unless a string is too long for a one-byte length, then in the format 1 layout (timestamp and writer 0).
    /// </summary>
    /// <exception cref="ArgumentException">A string is longer than the format allows (the write is rejected).</exception>
    public static int WriteEvent(
        PooledBuffer buffer, string persistenceId, long sequenceNr, long epoch, bool moreInAtomicWrite,
        string manifest, int serializerId, string serializerManifest, ReadOnlySpan<byte> payload)
    {
        var pidLength = StringLength(persistenceId, nameof(persistenceId));
        var manifestLength = StringLength(manifest, nameof(manifest));
        var serializerManifestLength = StringLength(serializerManifest, nameof(serializerManifest));
        if (pidLength <= byte.MaxValue && manifestLength <= byte.MaxValue && serializerManifestLength <= byte.MaxValue)
        {
            return WriteLeanEvent(buffer, persistenceId, pidLength, sequenceNr, epoch, moreInAtomicWrite, manifest, manifestLength, serializerId,
                serializerManifest, serializerManifestLength, payload);
        }

        // The format 1 layout, for long names: timestamp 0 and an empty writer, as the lean layout has neither.
        var bodyLength = FixedPrefix + 2 + pidLength + 8 + 2 + 2 + manifestLength + 4 + 2 + serializerManifestLength + 4 + payload.Length;
        if (bodyLength > MaxBodyLength)
            throw new ArgumentException($"Event of {payload.Length} bytes is larger than a WAL record may be.", nameof(payload));

        var record = buffer.Reserve(WalFormat.RecordOverhead + bodyLength);
        var body = record.Slice(8, bodyLength);
        var writer = new SpanWriter(body);
        writer.WritePrefix(WalRecordType.Event, moreInAtomicWrite ? FlagMoreInAtomicWrite : (byte)0, sequenceNr, epoch);
        writer.WriteString(persistenceId, pidLength);
        writer.WriteInt64(0);
        writer.WriteString("", 0);
        writer.WriteString(manifest, manifestLength);
        writer.WriteInt32(serializerId);
        writer.WriteString(serializerManifest, serializerManifestLength);
        writer.WriteInt32(payload.Length);
        writer.WriteBytes(payload);
        Frame(record, bodyLength);
        return record.Length;
    }

    // type 4 | flags | varint sequence | varint epoch | u8 n, pid | zigzag varint serializer id | u8 n, serializer
    // manifest | u8 n, manifest | payload (the rest of the body)
    private static int WriteLeanEvent(
        PooledBuffer buffer, string persistenceId, int pidLength, long sequenceNr, long epoch, bool moreInAtomicWrite,
        string manifest, int manifestLength, int serializerId, string serializerManifest, int serializerManifestLength, ReadOnlySpan<byte> payload)
    {
        var serializer = (ulong)(uint)((serializerId << 1) ^ (serializerId >> 31));
        var bodyLength = 2 + VarInt.Size((ulong)sequenceNr) + VarInt.Size((ulong)epoch) + 1 + pidLength + VarInt.Size(serializer)
                         + 1 + serializerManifestLength + 1 + manifestLength + payload.Length;
        if (bodyLength > MaxBodyLength)
            throw new ArgumentException($"Event of {payload.Length} bytes is larger than a WAL record may be.", nameof(payload));
        var record = buffer.Reserve(WalFormat.RecordOverhead + bodyLength);
        var body = record.Slice(8, bodyLength);
        body[0] = (byte)WalRecordType.LeanEvent;
        body[1] = moreInAtomicWrite ? FlagMoreInAtomicWrite : (byte)0;
        var position = 2;
        position += VarInt.Write(body[position..], (ulong)sequenceNr);
        position += VarInt.Write(body[position..], (ulong)epoch);
        position += WriteShortString(body[position..], persistenceId, pidLength);
        position += VarInt.Write(body[position..], serializer);
        position += WriteShortString(body[position..], serializerManifest, serializerManifestLength);
        position += WriteShortString(body[position..], manifest, manifestLength);
        payload.CopyTo(body[position..]);
        Frame(record, bodyLength);
        return record.Length;
    }

    private static int WriteShortString(Span<byte> destination, string value, int byteCount)
    {
        destination[0] = (byte)byteCount;
        return 1 + Encoding.UTF8.GetBytes(value, destination.Slice(1, byteCount));
    }

    /// <summary>
    /// Encodes a deletion marker: records of the id up to <paramref name="deletedTo"/> are gone; <paramref name="epoch"/>
    /// is the epoch of the record at <paramref name="deletedTo"/> (0 when unknown), kept for a log that follows on there.
    /// </summary>
    public static byte[] EncodeDeletion(string persistenceId, long deletedTo, long highestSequenceNr, long epoch = 0)
    {
        var pidLength = StringLength(persistenceId, nameof(persistenceId));
        var bodyLength = FixedPrefix + 2 + pidLength + 8;
        var record = new byte[WalFormat.RecordOverhead + bodyLength];
        var writer = new SpanWriter(record.AsSpan(8, bodyLength));
        writer.WritePrefix(WalRecordType.Deletion, 0, deletedTo, epoch);
        writer.WriteString(persistenceId, pidLength);
        writer.WriteInt64(highestSequenceNr);
        Frame(record, bodyLength);
        return record;
    }

    /// <summary>Encodes a truncation marker: records of the id from <paramref name="fromSequenceNr"/> on are gone.</summary>
    public static byte[] EncodeTruncation(string persistenceId, long fromSequenceNr)
    {
        var pidLength = StringLength(persistenceId, nameof(persistenceId));
        var bodyLength = FixedPrefix + 2 + pidLength;
        var record = new byte[WalFormat.RecordOverhead + bodyLength];
        var writer = new SpanWriter(record.AsSpan(8, bodyLength));
        writer.WritePrefix(WalRecordType.Truncation, 0, fromSequenceNr, 0);
        writer.WriteString(persistenceId, pidLength);
        Frame(record, bodyLength);
        return record;
    }

    /// <summary>Encodes a reset marker: the id's log ends at (<paramref name="sequenceNr"/>, <paramref name="epoch"/>) and holds no record.</summary>
    public static byte[] EncodeReset(string persistenceId, long sequenceNr, long epoch)
    {
        var pidLength = StringLength(persistenceId, nameof(persistenceId));
        var bodyLength = FixedPrefix + 2 + pidLength;
        var record = new byte[WalFormat.RecordOverhead + bodyLength];
        var writer = new SpanWriter(record.AsSpan(8, bodyLength));
        writer.WritePrefix(WalRecordType.Reset, 0, sequenceNr, epoch);
        writer.WriteString(persistenceId, pidLength);
        Frame(record, bodyLength);
        return record;
    }

    /// <summary>Validates the record starting at <paramref name="offset"/>; on success returns its total length.</summary>
    public static RecordCheck Check(ReadOnlySpan<byte> data, int offset, out int totalLength)
    {
        totalLength = 0;
        var remaining = data.Length - offset;
        if (remaining < 8)
            return RecordCheck.Truncated;
        var length = BinaryPrimitives.ReadUInt32LittleEndian(data[offset..]);
        if (length < MinBodyLength || length > MaxBodyLength)
            return RecordCheck.InvalidLength;
        if ((long)length + WalFormat.RecordOverhead > remaining)
            return RecordCheck.Truncated;
        var bodyLength = (int)length;
        var body = data.Slice(offset + 8, bodyLength);
        if (BinaryPrimitives.ReadUInt32LittleEndian(data[(offset + 8 + bodyLength)..]) != length)
            return RecordCheck.LengthMismatch;
        if (BinaryPrimitives.ReadUInt32LittleEndian(data[(offset + 4)..]) != Crc32C.Compute(body))
            return RecordCheck.ChecksumMismatch;
        if (!TryParseBody(body, out _))
            return RecordCheck.MalformedBody;
        totalLength = bodyLength + WalFormat.RecordOverhead;
        return RecordCheck.Valid;
    }

    /// <summary>
    /// True when a trailing length at the end of the written part of <paramref name="data"/> (zero-filled room may
    /// follow) describes a record starting at <paramref name="offset"/>: that record was written to its end.
    /// </summary>
    public static bool EndsAtEndOfData(ReadOnlySpan<byte> data, int offset) => WrittenRecordEnd(data, offset) >= 0;

    // The trailing length is the last field of a record and never 0, so a written record ends within its 4 bytes
    // after the last non-zero byte (its high bytes are zero for any body under 16 MiB).
    private static int WrittenRecordEnd(ReadOnlySpan<byte> data, int offset)
    {
        var written = data.LastIndexOfAnyExcept((byte)0) + 1;
        var last = Math.Min(data.Length, written + 3);
        for (var end = Math.Max(written, offset + WalFormat.RecordOverhead + MinBodyLength); end <= last; end++)
        {
            var trailing = BinaryPrimitives.ReadUInt32LittleEndian(data[(end - 4)..]);
            if (trailing >= MinBodyLength && offset + WalFormat.RecordOverhead + (long)trailing == end)
                return end;
        }
        return -1;
    }

    /// <summary>
    /// True when the record at <paramref name="offset"/>, whose leading length fits the data, has zeros where its
    /// trailing length belongs and only zeros after it: a write into zero-filled room that stopped short of its end.
    /// </summary>
    public static bool TrailingLengthUnwritten(ReadOnlySpan<byte> data, int offset)
    {
        var length = BinaryPrimitives.ReadUInt32LittleEndian(data[offset..]);
        var trailingAt = offset + 8 + (long)length;
        if (trailingAt + 4 > data.Length)
            return false;
        return data[(int)trailingAt..].IndexOfAnyExcept((byte)0) < 0;
    }

    /// <summary>
    /// The persistence id and sequence number a record that fails its checksum most likely carried: its
    /// body parsed as if it were sound. Null when even that does not parse (the damage is in the framing or the id).
    /// </summary>
    public static (string PersistenceId, long SequenceNr)? ProbableOwner(ReadOnlySpan<byte> data, int offset)
    {
        if (data.Length - offset < WalFormat.RecordOverhead + MinBodyLength)
            return null;
        var length = BinaryPrimitives.ReadUInt32LittleEndian(data[offset..]);
        if (length < MinBodyLength || length > data.Length - offset - WalFormat.RecordOverhead)
        {
            // A damaged leading length: the trailing one may still frame the record.
            var end = WrittenRecordEnd(data, offset);
            if (end < 0)
                return null;
            length = BinaryPrimitives.ReadUInt32LittleEndian(data[(end - 4)..]);
        }
        return TryParseBody(data.Slice(offset + 8, (int)length), out var view) ? (view.PersistenceId, view.SequenceNr) : null;
    }

    /// <summary>The body of a record already validated with <see cref="Check"/>.</summary>
    public static ReadOnlySpan<byte> Body(ReadOnlySpan<byte> record) => record.Slice(8, record.Length - WalFormat.RecordOverhead);

    /// <summary>Scans forward from <paramref name="from"/> for the next offset holding a valid record; -1 if none.</summary>
    public static int FindNextValid(ReadOnlySpan<byte> data, int from)
    {
        var last = data.Length - WalFormat.RecordOverhead - MinBodyLength;
        for (var position = from; position <= last; position++)
        {
            // Cheap length checks first; the checksum is only computed for plausible candidates.
            var length = BinaryPrimitives.ReadUInt32LittleEndian(data[position..]);
            if (length < MinBodyLength || length > data.Length - position - WalFormat.RecordOverhead)
                continue;
            if (BinaryPrimitives.ReadUInt32LittleEndian(data[(position + 8 + (int)length)..]) != length)
                continue;
            if (Check(data, position, out _) == RecordCheck.Valid)
                return position;
        }
        return -1;
    }

    /// <summary>Parses a body; false when the layout does not add up (unknown type, lengths overrun, trailing bytes).</summary>
    public static bool TryParseBody(ReadOnlySpan<byte> body, out WalRecordView view)
    {
        view = default;
        if (body.Length < MinBodyLength)
            return false;
        if ((WalRecordType)body[0] == WalRecordType.LeanEvent)
            return TryParseLeanEvent(body, out view);
        if (body.Length < FixedPrefix + 2)
            return false;
        var type = (WalRecordType)body[0];
        var flags = body[1];
        var sequenceNr = BinaryPrimitives.ReadInt64LittleEndian(body[4..]);
        var epoch = BinaryPrimitives.ReadInt64LittleEndian(body[12..]);
        var reader = new SpanReader(body[FixedPrefix..]);
        if (!reader.TryReadString(out var pid))
            return false;
        switch (type)
        {
            case WalRecordType.Event:
                if (!reader.TryReadInt64(out var timestamp)
                    || !reader.TryReadString(out var guid)
                    || !reader.TryReadString(out var manifest)
                    || !reader.TryReadInt32(out var serializerId)
                    || !reader.TryReadString(out var serializerManifest)
                    || !reader.TryReadInt32(out var payloadLength)
                    || payloadLength < 0
                    || !reader.TryReadBytes(payloadLength, out var payload)
                    || !reader.AtEnd)
                    return false;
                view = new WalRecordView
                {
                    Type = type, Flags = flags, SequenceNr = sequenceNr, Epoch = epoch, PersistenceIdUtf8 = pid,
                    Timestamp = timestamp, WriterGuidUtf8 = guid, ManifestUtf8 = manifest, SerializerId = serializerId,
                    SerializerManifestUtf8 = serializerManifest, Payload = payload,
                };
                return true;
            case WalRecordType.Deletion:
                if (!reader.TryReadInt64(out var highest) || !reader.AtEnd || flags != 0)
                    return false;
                view = new WalRecordView { Type = type, Flags = flags, SequenceNr = sequenceNr, Epoch = epoch, PersistenceIdUtf8 = pid, HighestSequenceNr = highest };
                return true;
            case WalRecordType.Truncation:
            case WalRecordType.Reset:
                if (!reader.AtEnd || flags != 0)
                    return false;
                view = new WalRecordView { Type = type, Flags = flags, SequenceNr = sequenceNr, Epoch = epoch, PersistenceIdUtf8 = pid };
                return true;
            default:
                return false;
        }
    }

    /// <summary>Frames a record body (as read from another log) into <paramref name="buffer"/>; returns the framed length.</summary>
    public static int AppendFramed(PooledBuffer buffer, ReadOnlySpan<byte> body)
    {
        var record = buffer.Reserve(WalFormat.RecordOverhead + body.Length);
        body.CopyTo(record[8..]);
        Frame(record, body.Length);
        return record.Length;
    }

    private static bool TryParseLeanEvent(ReadOnlySpan<byte> body, out WalRecordView view)
    {
        view = default;
        var flags = body[1];
        var position = 2;
        if ((flags & ~FlagMoreInAtomicWrite) != 0
            || !VarInt.TryRead(body, ref position, out var sequenceNr) || sequenceNr > long.MaxValue
            || !VarInt.TryRead(body, ref position, out var epoch) || epoch > long.MaxValue
            || !TryReadShortString(body, ref position, out var pid)
            || !VarInt.TryRead(body, ref position, out var serializer) || serializer > uint.MaxValue
            || !TryReadShortString(body, ref position, out var serializerManifest)
            || !TryReadShortString(body, ref position, out var manifest))
            return false;
        var zigzag = (uint)serializer;
        view = new WalRecordView
        {
            Type = WalRecordType.Event, Flags = flags, SequenceNr = (long)sequenceNr, Epoch = (long)epoch, PersistenceIdUtf8 = pid,
            ManifestUtf8 = manifest, SerializerId = (int)(zigzag >> 1) ^ -(int)(zigzag & 1), SerializerManifestUtf8 = serializerManifest,
            Payload = body[position..],
        };
        return true;
    }

    private static bool TryReadShortString(ReadOnlySpan<byte> body, scoped ref int position, out ReadOnlySpan<byte> utf8)
    {
        utf8 = default;
        if (position >= body.Length || body.Length - position - 1 < body[position]) return false;
        utf8 = body.Slice(position + 1, body[position]);
        position += 1 + body[position];
        return true;
    }

    private static void Frame(Span<byte> record, int bodyLength)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)bodyLength);
        BinaryPrimitives.WriteUInt32LittleEndian(record[4..], Crc32C.Compute(record.Slice(8, bodyLength)));
        BinaryPrimitives.WriteUInt32LittleEndian(record[(8 + bodyLength)..], (uint)bodyLength);
    }

    private static int StringLength(string value, string name)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        if (length > MaxStringBytes)
            throw new ArgumentException($"'{name}' is {length} bytes in UTF-8; a WAL record allows at most {MaxStringBytes}.", name);
        return length;
    }
}
