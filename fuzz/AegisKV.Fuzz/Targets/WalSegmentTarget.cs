using System.Buffers.Binary;
using System.Text;
using AegisKV.Core.State;
using AegisKV.Storage;

namespace AegisKV.Fuzz.Targets;

/// <summary>
/// Recovery's view of a WAL segment: the scanner that verifies, groups and resynchronises records, the record body
/// parser, and the events' payloads decoded as replay decodes them. With an even first byte the rest is a segment
/// as found on disk; with an odd one it is a list of record bodies (two-byte length, body) framed with good lengths
/// and checksums, so the fuzzer reaches the parsers behind the checksum.
/// </summary>
public sealed class WalSegmentTarget : FuzzTarget
{
    /// <inheritdoc />
    public override string Name => "wal";

    /// <inheritdoc />
    public override void Run(ReadOnlySpan<byte> input)
    {
        if (input.Length == 0) return;
        if ((input[0] & 1) == 0)
        {
            Scan(input[1..]);
            return;
        }

        using var segment = new PooledBuffer(input.Length + 64);
        var bodies = input[1..];
        while (bodies.Length >= 2)
        {
            var length = Math.Min(BinaryPrimitives.ReadUInt16LittleEndian(bodies), bodies.Length - 2);
            WalRecordCodec.AppendFramed(segment, bodies.Slice(2, length));
            bodies = bodies[(2 + length)..];
        }

        Scan(segment.Array.AsSpan(0, segment.Length));
    }

    private static void Scan(ReadOnlySpan<byte> segment)
    {
        var sink = new ReplaySink(segment.Length);
        var result = SegmentScanner.Scan(segment, 0, sink);
        if (result.ValidLength < 0 || result.ValidLength > segment.Length || result.Records != sink.Records)
            throw new InvalidOperationException($"Scan of {segment.Length} bytes: valid length {result.ValidLength}, {result.Records} records, {sink.Records} delivered.");
    }

    /// <inheritdoc />
    public override IEnumerable<(string Name, byte[] Data)> Seeds()
    {
        using var segment = new PooledBuffer(1024);
        var events = new IShardEvent[]
        {
            new ValueSet(2, "k"u8.ToArray(), "v"u8.ToArray(), 0),
            new ValueSet(2, "a"u8.ToArray(), "1"u8.ToArray(), 1_700_000_000_000),
            new KeysDeleted(2, ["a"u8.ToArray(), "b"u8.ToArray()]),
            new HashFieldsSet(2, "h"u8.ToArray(), ["f"u8.ToArray(), "v"u8.ToArray()], KeepTtl: false),
            new ListPushed(2, "l"u8.ToArray(), false, ["a"u8.ToArray(), "b"u8.ToArray()], 1),
        };
        var bodies = new List<byte[]>();
        for (var i = 0; i < events.Length; i++)
        {
            var (serializer, manifest) = NodeSerialization.For(events[i]);
            var start = segment.Length;
            // The middle two events are one atomic write (a transaction).
            WalRecordCodec.WriteEvent(segment, "shard-3", i + 1, 2, moreInAtomicWrite: i == 1, "", serializer.Identifier, manifest, serializer.ToBinary(events[i]));
            bodies.Add(WalRecordCodec.Body(segment.Array.AsSpan(start, segment.Length - start)).ToArray());
        }

        foreach (var marker in new[] { WalRecordCodec.EncodeDeletion("shard-3", 2, 4, 2), WalRecordCodec.EncodeTruncation("shard-3", 4), WalRecordCodec.EncodeReset("shard-5", 9, 3) })
        {
            segment.Reserve(marker.Length).CopyTo(marker);
            bodies.Add(WalRecordCodec.Body(marker).ToArray());
        }

        yield return ("segment", [0, .. segment.Array.AsSpan(0, segment.Length)]);
        var framed = new List<byte> { 1 };
        foreach (var body in bodies)
        {
            framed.Add((byte)body.Length);
            framed.Add((byte)(body.Length >> 8));
            framed.AddRange(body);
        }

        yield return ("bodies", framed.ToArray());
        yield return ("torn", [0, .. segment.Array.AsSpan(0, segment.Length - 5)]);
    }

    /// <summary>Takes each record as replay does, holding the scanner to its word about offsets.</summary>
    private sealed class ReplaySink(int length) : ISegmentScanSink
    {
        private int _next;

        public int Records { get; private set; }

        public void OnRecord(int offset, ReadOnlySpan<byte> record)
        {
            if (offset < _next || offset + record.Length > length)
                throw new InvalidOperationException($"Record at {offset} of {record.Length} bytes overlaps or overruns (next free offset {_next}).");
            _next = offset + record.Length;
            Records++;
            if (!WalRecordCodec.TryParseBody(WalRecordCodec.Body(record), out var view))
                throw new InvalidOperationException($"The scanner passed a record at {offset} whose body does not parse.");
            if (view.Type is WalRecordType.Event or WalRecordType.LeanEvent)
                NodeSerialization.DeserializeStored(view.Payload.ToArray(), view.SerializerId, Encoding.UTF8.GetString(view.SerializerManifestUtf8));
        }

        public void OnCorruption(int offset, string reason, int resumeOffset, int dropFrom)
        {
            if (resumeOffset <= offset || resumeOffset > length || dropFrom > offset)
                throw new InvalidOperationException($"Corruption at {offset}: resumes at {resumeOffset}, drops from {dropFrom}, in {length} bytes.");
            _next = resumeOffset;
        }
    }
}
