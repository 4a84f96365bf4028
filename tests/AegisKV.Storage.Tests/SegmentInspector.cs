namespace AegisKV.Storage.Tests;

/// <summary>Reads segment files in tests through the production scanner.</summary>
internal static class SegmentInspector
{
    public sealed record RecordInfo(int Offset, int Length, WalRecordType Type, string PersistenceId, long SequenceNr, long Epoch, string Payload);

    public static List<RecordInfo> Records(string segmentPath)
    {
        var data = File.ReadAllBytes(segmentPath);
        var sink = new Collector();
        SegmentScanner.Scan(data, WalFormat.SegmentHeaderSize, sink);
        return sink.Records;
    }

    /// <summary>Where the segment's records end: after it the file holds only the zeros it was filled ahead with.</summary>
    public static long DataEnd(string segmentPath) => Records(segmentPath) is [.., var last] ? last.Offset + last.Length : WalFormat.SegmentHeaderSize;

    /// <summary>Writes <paramref name="text"/> (UTF-8) over the file at <paramref name="offset"/>, as a write cut short by a crash leaves it.</summary>
    public static void WriteAt(string path, long offset, string text)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        stream.Position = offset;
        stream.Write(System.Text.Encoding.UTF8.GetBytes(text));
    }

    /// <summary>Offset in the file of the first occurrence of <paramref name="text"/> (UTF-8).</summary>
    public static int IndexOf(string path, string text)
    {
        var data = File.ReadAllBytes(path);
        var index = data.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(text));
        Assert.True(index > 0, $"'{text}' not found in {path}");
        return index;
    }

    public static void FlipByte(string path, long offset)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        stream.Position = offset;
        var value = stream.ReadByte();
        stream.Position = offset;
        stream.WriteByte((byte)(value ^ 0xFF));
    }

    private sealed class Collector : ISegmentScanSink
    {
        public List<RecordInfo> Records { get; } = [];

        public void OnRecord(int offset, ReadOnlySpan<byte> record)
        {
            Assert.True(WalRecordCodec.TryParseBody(WalRecordCodec.Body(record), out var view));
            Records.Add(new RecordInfo(offset, record.Length, view.Type, view.PersistenceId, view.SequenceNr, view.Epoch,
                System.Text.Encoding.UTF8.GetString(view.Payload)));
        }

        public void OnCorruption(int offset, string reason, int resumeOffset, int dropFrom)
        {
        }
    }
}
