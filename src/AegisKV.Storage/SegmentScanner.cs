namespace AegisKV.Storage;

/// <summary>Receives what <see cref="SegmentScanner"/> finds, in file order.</summary>
internal interface ISegmentScanSink
{
    /// <summary>A valid record whose whole atomic write is intact.</summary>
    void OnRecord(int offset, ReadOnlySpan<byte> record);

    /// <summary>
    /// Bad data in the middle of the segment; scanning resumes at <paramref name="resumeOffset"/>. Valid records
    /// from <paramref name="dropFrom"/> (the start of the atomic write the bad data cut short) are dropped with it.
    /// </summary>
    void OnCorruption(int offset, string reason, int resumeOffset, int dropFrom);
}

/// <summary>Outcome of scanning one segment.</summary>
/// <param name="ValidLength">
/// End of the last complete atomic write: where a torn tail is cut off, and where records go on after zero-filled room.
/// </param>
/// <param name="Records">Records delivered to the sink.</param>
/// <param name="CorruptRegions">Bad regions followed by more valid records.</param>
/// <param name="FirstBadOffset">Offset of the first bad byte found, or -1.</param>
/// <param name="FirstBadReason">Why that offset is bad.</param>
/// <param name="TailOffset">Offset where invalid data runs to the end of the file, or -1.</param>
/// <param name="TailReason">Why the tail is invalid.</param>
/// <param name="TailTorn">
/// The bad tail is a write cut short (a record or atomic write that does not reach its end), the
/// benign trace of a crash; otherwise it is a complete record that does not verify: corruption.
/// </param>
internal readonly record struct SegmentScanResult(
    int ValidLength, int Records, int CorruptRegions, int FirstBadOffset, string? FirstBadReason, int TailOffset, string? TailReason, bool TailTorn)
{
    public bool HasBadTail => TailOffset >= 0;
}

/// <summary>
/// Walks the records of one segment image, verifying lengths and checksums, holding back the records of an
/// atomic write until its last record is seen, and resynchronising after bad data by searching forward for
/// the next record whose lengths and checksum check out. Shared by recovery and <see cref="WalVerifier"/>.
/// </summary>
internal static class SegmentScanner
{
    public static SegmentScanResult Scan(ReadOnlySpan<byte> data, int start, ISegmentScanSink sink)
    {
        var group = new List<(int Offset, int Length)>();
        int position = start, validEnd = start, records = 0, regions = 0;
        int firstBad = -1, tailOffset = -1;
        string? firstReason = null, tailReason = null;
        var tailTorn = false;

        while (position < data.Length)
        {
            var check = WalRecordCodec.Check(data, position, out var length);
            if (check == RecordCheck.Valid)
            {
                group.Add((position, length));
                var more = (data[position + 8 + 1] & WalRecordCodec.FlagMoreInAtomicWrite) != 0;
                position += length;
                if (!more)
                {
                    foreach (var (offset, recordLength) in group)
                        sink.OnRecord(offset, data.Slice(offset, recordLength));
                    records += group.Count;
                    group.Clear();
                    validEnd = position;
                }
                continue;
            }

            // Segments are zero-filled ahead of their records: nothing but zeros from here on is room not yet used.
            if (data[position..].IndexOfAnyExcept((byte)0) < 0)
                break;

            var reason = check.Describe();
            var dropFrom = group.Count > 0 ? group[0].Offset : position;
            if (group.Count > 0)
                reason += $"; incomplete atomic write from offset {group[0].Offset} dropped";
            group.Clear();
            if (firstBad < 0)
            {
                firstBad = position;
                firstReason = reason;
            }
            var next = WalRecordCodec.FindNextValid(data, position + 1);
            if (next < 0)
            {
                tailOffset = position;
                tailReason = reason;
                tailTorn = IsCutShort(data, position, check);
                if (!tailTorn)
                    tailReason += "; the record is complete, so this is corruption, not a torn write";
                break;
            }
            regions++;
            sink.OnCorruption(position, reason, next, dropFrom);
            position = next;
        }

        if (group.Count > 0)
        {
            // The file ends inside an atomic write: its records are intact but the write is not complete.
            tailOffset = group[0].Offset;
            tailReason = "incomplete atomic write at end of segment";
            tailTorn = true;
            if (firstBad < 0)
            {
                firstBad = tailOffset;
                firstReason = tailReason;
            }
        }
        return new SegmentScanResult(validEnd, records, regions, firstBad, firstReason, tailOffset, tailReason, tailTorn);
    }

    // A record at the end of the data is cut short when its bytes do not reach its end. A leading
    // length that is itself damaged cannot say where the end is, so the trailing length decides: a
    // record whose trailing length ends the written data (zero-filled room may follow) was written whole.
    // In zero-filled room a write cut short leaves zeros where its trailing length belongs.
    private static bool IsCutShort(ReadOnlySpan<byte> data, int offset, RecordCheck check)
    {
        if (WalRecordCodec.EndsAtEndOfData(data, offset))
            return false;
        return check switch
        {
            RecordCheck.Truncated or RecordCheck.InvalidLength => true,
            RecordCheck.LengthMismatch => WalRecordCodec.TrailingLengthUnwritten(data, offset),
            _ => false,
        };
    }
}
