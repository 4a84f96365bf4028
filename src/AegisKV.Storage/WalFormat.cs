using System.Buffers.Binary;

namespace AegisKV.Storage;

/// <summary>
/// On-disk format of the AegisKV write-ahead log and snapshot files. All integers are little-endian;
/// <c>str</c> is a u16 byte count followed by UTF-8; every checksum is CRC-32C (Castagnoli).
/// Changing any byte of this layout requires bumping <see cref="Version"/> (or <see cref="SnapshotVersion"/>)
/// and updating the golden-file test.
/// <para><b>Segment file</b> <c>wal/{first position:D20}.wal</c>: append-only, at most <c>segment-size</c> bytes
/// (an atomic write larger than that gets a segment of its own). A position is a byte offset in the log as a
/// whole: a new segment starts at the previous segment's first position plus the length of that segment's records.
/// Zeros may follow the last record (the file is filled ahead of its records): room not yet used.</para>
/// <para>Format 2 added the lean event record (type 4); format 3 (written now) adds the reset marker (type 5).
/// Older segments are read as they are and never appended to, so a build that reads only older formats refuses
/// newer data by its header.</para>
/// <code>
/// segment header (32 bytes)
///   0  magic "AEGISWAL"        8  u16 format version     10 u16 flags (0)      12 u32 header size (32)
///   16 i64 first position      24 u32 reserved (0)       28 u32 CRC-32C of bytes 0..27
/// record (body length L, 12 + L bytes)
///   u32 L | u32 CRC-32C of body | body | u32 L
/// lean event body (type 4; about 33 bytes of overhead per event with the framing)
///   0  u8 type 4 | 1 u8 flags (as below) | varint sequence number | varint epoch | u8 n, persistence id
///   | zigzag varint serializer id | u8 n, serializer manifest | u8 n, event manifest | payload (the rest)
///   (varint: 7 bits a byte, least significant first, high bit set on all but the last byte)
/// body of format 1 records and of markers
///   0  u8 type: 1 event, 2 deletion marker, 3 truncation marker, 5 reset marker (format 3)
///   1  u8 flags: bit 0 = more records of the same AtomicWrite follow (a group is only valid when complete)
///   2  u16 reserved (0)        4  i64 sequence number    12 i64 epoch (IWalEpoch of the payload, else 0)
///   20 str persistence id
///   event:      i64 timestamp | str writer guid | str event manifest | i32 serializer id
///               | str serializer manifest | i32 n | n payload bytes
///   deletion:   sequence number = deleted-to (inclusive); then i64 highest sequence number at that time
///   truncation: sequence number = first removed sequence number; nothing more
///   reset:      sequence number = where the log now ends, epoch = that entry's epoch; nothing more: every
///               record of the id goes (what it held is in a snapshot through that sequence number)
/// </code>
/// <para><b>Snapshot file</b> <c>snapshots/{escaped persistence id}/{sequence number:D20}-{timestamp ticks:D20}.snap</c>,
/// written to a temporary file and renamed into place.</para>
/// <code>
/// snapshot header (32 bytes)
///   0  magic "AEGISSNP"        8  u16 snapshot version   10 u16 flags (0)      12 u32 CRC-32C of body
///   16 i64 body length         24 u32 reserved (0)       28 u32 CRC-32C of bytes 0..27
/// snapshot body
///   str persistence id | i64 sequence number | i64 timestamp ticks (UTC) | i32 serializer id
///   | str serializer manifest | i32 n | n payload bytes
/// </code>
/// </summary>
public static class WalFormat
{
    /// <summary>Version of the segment and record layout written by this build.</summary>
    public const ushort Version = 3;

    /// <summary>The oldest segment version this build reads.</summary>
    public const ushort OldestReadableVersion = 1;

    /// <summary>Version of the snapshot file layout written by this build.</summary>
    public const ushort SnapshotVersion = 1;

    /// <summary>Size of the segment file header.</summary>
    public const int SegmentHeaderSize = 32;

    /// <summary>Size of the snapshot file header.</summary>
    public const int SnapshotHeaderSize = 32;

    /// <summary>Framing bytes around each record body: length, CRC and trailing length.</summary>
    public const int RecordOverhead = 12;

    /// <summary>Extension of segment files.</summary>
    public const string SegmentFileExtension = ".wal";

    /// <summary>Extension of snapshot files.</summary>
    public const string SnapshotFileExtension = ".snap";

    /// <summary>Magic bytes opening every segment file.</summary>
    public static ReadOnlySpan<byte> SegmentMagic => "AEGISWAL"u8;

    /// <summary>Magic bytes opening every snapshot file.</summary>
    public static ReadOnlySpan<byte> SnapshotMagic => "AEGISSNP"u8;

    /// <summary>File name of the segment starting at <paramref name="firstPosition"/>.</summary>
    public static string SegmentFileName(long firstPosition) => firstPosition.ToString("D20", System.Globalization.CultureInfo.InvariantCulture) + SegmentFileExtension;

    /// <summary>Parses a segment file name back into its first position.</summary>
    public static bool TryParseSegmentFileName(string fileName, out long firstPosition)
    {
        firstPosition = 0;
        return fileName.Length == 20 + SegmentFileExtension.Length
            && fileName.EndsWith(SegmentFileExtension, StringComparison.Ordinal)
            && long.TryParse(fileName.AsSpan(0, 20), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out firstPosition);
    }

    internal static void WriteSegmentHeader(Span<byte> destination, long firstPosition)
    {
        destination = destination[..SegmentHeaderSize];
        destination.Clear();
        SegmentMagic.CopyTo(destination);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[8..], Version);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[12..], SegmentHeaderSize);
        BinaryPrimitives.WriteInt64LittleEndian(destination[16..], firstPosition);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[28..], Crc32C.Compute(destination[..28]));
    }

    /// <summary>Validates a segment header; on failure <paramref name="error"/> says why.</summary>
    internal static SegmentHeaderStatus ReadSegmentHeader(ReadOnlySpan<byte> source, out long firstPosition, out string? error) =>
        ReadSegmentHeader(source, out firstPosition, out _, out error);

    /// <summary>Validates a segment header and says its version; on failure <paramref name="error"/> says why.</summary>
    internal static SegmentHeaderStatus ReadSegmentHeader(ReadOnlySpan<byte> source, out long firstPosition, out ushort version, out string? error)
    {
        firstPosition = 0;
        version = 0;
        if (source.Length < SegmentHeaderSize)
        {
            error = $"file shorter than the {SegmentHeaderSize}-byte segment header";
            return SegmentHeaderStatus.Truncated;
        }
        if (!source[..8].SequenceEqual(SegmentMagic))
        {
            error = "bad magic: not an AegisKV segment";
            return SegmentHeaderStatus.NotASegment;
        }
        var storedCrc = BinaryPrimitives.ReadUInt32LittleEndian(source[28..]);
        if (storedCrc != Crc32C.Compute(source[..28]))
        {
            error = "segment header checksum mismatch";
            return SegmentHeaderStatus.Corrupt;
        }
        version = BinaryPrimitives.ReadUInt16LittleEndian(source[8..]);
        if (version < OldestReadableVersion || version > Version || BinaryPrimitives.ReadUInt32LittleEndian(source[12..]) != SegmentHeaderSize)
        {
            error = $"unsupported segment format version {version} (this build reads {OldestReadableVersion} to {Version})";
            return SegmentHeaderStatus.UnsupportedVersion;
        }
        firstPosition = BinaryPrimitives.ReadInt64LittleEndian(source[16..]);
        error = null;
        return SegmentHeaderStatus.Valid;
    }
}

/// <summary>Outcome of reading a segment header.</summary>
internal enum SegmentHeaderStatus
{
    Valid,
    Truncated,
    NotASegment,
    Corrupt,
    UnsupportedVersion,
}
