namespace AegisKV.Storage.Tests;

public sealed class FormatTests
{
    // Pinned bytes of format version 3. If one of these fails, the on-disk format changed: that must be a
    // deliberate decision with a new WalFormat.Version and a plan for existing data, not a side effect.
    //   magic "AEGISWAL" | version 3 | flags 0 | header size 32 | first position 0x0102030405 | reserved | CRC-32C
    private const string GoldenSegmentHeader =
        "414547495357414C" + "0300" + "0000" + "20000000" + "0504030201000000" + "00000000" + "7439D5BC";

    //   length 19 | CRC-32C | type 4 | flags 0 | seq 7 | epoch 3 | 5 "pid-1" | serializer 1 (zigzag 2) | 1 "m" | 0 ""
    //   | "hello" | length 19
    private const string GoldenLeanEventRecord =
        "13000000" + "7540148F" + "04" + "00" + "07" + "03" + "05" + "7069642D31" + "02" + "01" + "6D" + "00" + "68656C6C6F" + "13000000";

    // A format 1 event record as earlier releases wrote it: still read.
    //   length 56 | CRC-32C | type 1, flags 0, reserved | seq 7 | epoch 3 | "pid-1" | timestamp 1234567890 | "w" | ""
    //   | serializer 1 | "m" | 5 bytes "hello" | length 56
    internal const string FormatOneEventRecord =
        "38000000" + "6D3EBD77" + "01000000" + "0700000000000000" + "0300000000000000" + "0500" + "7069642D31"
        + "D202964900000000" + "0100" + "77" + "0000" + "01000000" + "0100" + "6D" + "05000000" + "68656C6C6F" + "38000000";

    //   magic "AEGISSNP" | version 1 | flags 0 | body CRC-32C | body length 39 | reserved | header CRC-32C
    //   | "pid-1" | seq 7 | ticks 638000000000000000 | serializer 1 | "m" | 5 bytes "hello"
    private const string GoldenSnapshot =
        "4145474953534E50" + "0100" + "0000" + "090D1FE6" + "2700000000000000" + "00000000" + "749F6175"
        + "0500" + "7069642D31" + "0700000000000000" + "0000B3A69EA1DA08" + "01000000" + "0100" + "6D" + "05000000" + "68656C6C6F";

    [Fact]
    public void The_segment_header_bytes_are_pinned()
    {
        var header = new byte[WalFormat.SegmentHeaderSize];
        WalFormat.WriteSegmentHeader(header, 0x0102030405);

        Assert.Equal(GoldenSegmentHeader, Convert.ToHexString(header));
    }

    [Fact]
    public void An_event_record_bytes_are_pinned()
    {
        using var buffer = new PooledBuffer(64);
        WalRecordCodec.WriteEvent(buffer, "pid-1", sequenceNr: 7, epoch: 3, moreInAtomicWrite: false, manifest: "", serializerId: 1, serializerManifest: "m", "hello"u8);

        Assert.Equal(GoldenLeanEventRecord, Convert.ToHexString(buffer.Array.AsSpan(0, buffer.Length)));
    }

    [Fact]
    public void A_format_one_event_record_should_still_read_with_every_field()
    {
        var record = Convert.FromHexString(FormatOneEventRecord);
        Assert.Equal(RecordCheck.Valid, WalRecordCodec.Check(record, 0, out var length));
        Assert.Equal(record.Length, length);
        Assert.True(WalRecordCodec.TryParseBody(WalRecordCodec.Body(record), out var view));
        Assert.Equal((WalRecordType.Event, 7L, 3L, "pid-1", 1234567890L, "w", 1, "m", "hello"), (view.Type, view.SequenceNr, view.Epoch, view.PersistenceId,
            view.Timestamp, System.Text.Encoding.UTF8.GetString(view.WriterGuidUtf8), view.SerializerId,
            System.Text.Encoding.UTF8.GetString(view.SerializerManifestUtf8), System.Text.Encoding.UTF8.GetString(view.Payload)));
    }

    // The overhead that matters: a SET of a 32-byte value is a ValueSet event of about 60 bytes in shard-12's log.
    [Fact]
    public void An_event_should_cost_at_most_40_bytes_beyond_its_payload()
    {
        using var buffer = new PooledBuffer(256);
        var payload = new byte[60];
        var length = WalRecordCodec.WriteEvent(buffer, "shard-12", sequenceNr: 1_234_567, epoch: 42, moreInAtomicWrite: false, manifest: "",
            serializerId: 7700, serializerManifest: "VS", payload);
        Assert.InRange(length - payload.Length, 1, 40);
    }

    [Fact]
    public void An_event_with_names_too_long_for_the_lean_layout_should_be_written_in_the_format_one_layout()
    {
        using var buffer = new PooledBuffer(1024);
        var longId = new string('p', 300);
        WalRecordCodec.WriteEvent(buffer, longId, 5, 2, false, "", 1, "m", "x"u8);
        Assert.Equal((byte)WalRecordType.Event, buffer.Array[8]);
        Assert.True(WalRecordCodec.TryParseBody(WalRecordCodec.Body(buffer.Array.AsSpan(0, buffer.Length)), out var view));
        Assert.Equal((longId, 5L, 2L, "x"), (view.PersistenceId, view.SequenceNr, view.Epoch, System.Text.Encoding.UTF8.GetString(view.Payload)));
    }

    [Fact]
    public void A_snapshot_file_bytes_are_pinned()
    {
        var file = SnapshotFile.Encode("pid-1", sequenceNr: 7, timestampTicks: 638000000000000000, serializerId: 1, serializerManifest: "m", "hello"u8);

        Assert.Equal(GoldenSnapshot, Convert.ToHexString(file));
    }

    [Fact]
    public void A_snapshot_file_written_from_a_stream_is_the_same_bytes()
    {
        using var file = new MemoryStream();

        SnapshotFile.WriteTo(file, "pid-1", sequenceNr: 7, timestampTicks: 638000000000000000, serializerId: 1, serializerManifest: "m",
            payloadLength: 5, payload => { payload.Write("hel"u8); payload.Write("lo"u8); });

        Assert.Equal(GoldenSnapshot, Convert.ToHexString(file.ToArray()));
    }

    [Fact]
    public void A_streamed_snapshot_that_is_not_the_length_announced_is_refused()
    {
        using var file = new MemoryStream();

        Assert.Throws<InvalidOperationException>(() => SnapshotFile.WriteTo(file, "pid-1", 7, 0, 1, "m",
            payloadLength: 6, payload => payload.Write("hello"u8)));
    }

    [Fact]
    public void The_format_versions_are_pinned()
    {
        Assert.Equal(3, WalFormat.Version);
        Assert.Equal(1, WalFormat.OldestReadableVersion);
        Assert.Equal(1, WalFormat.SnapshotVersion);
        Assert.Equal("00000000000000004096.wal", WalFormat.SegmentFileName(4096));
    }

    [Fact]
    public void WalMode_numeric_values_are_pinned()
    {
        Assert.Equal(0, (int)WalMode.Off);
        Assert.Equal(1, (int)WalMode.Write);
        Assert.Equal(2, (int)WalMode.Fsync);
        Assert.Equal(3, Enum.GetValues<WalMode>().Length);
    }

    [Fact]
    public void Checksums_are_crc32c()
    {
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
        Assert.Equal(0u, Crc32C.Compute([]));
    }

    [Fact]
    public void A_written_record_reads_back_with_all_its_fields()
    {
        using var buffer = new PooledBuffer(16);
        var length = WalRecordCodec.WriteEvent(buffer, "pid-ü", 42, 9, true, "adapter", -3, "manifest", [1, 2, 3]);

        var data = buffer.Array.AsSpan(0, buffer.Length);
        Assert.Equal(RecordCheck.Valid, WalRecordCodec.Check(data, 0, out var checkedLength));
        Assert.Equal(length, checkedLength);
        Assert.True(WalRecordCodec.TryParseBody(WalRecordCodec.Body(data), out var view));
        Assert.Equal(WalRecordType.Event, view.Type);
        Assert.True(view.MoreInAtomicWrite);
        Assert.Equal("pid-ü", view.PersistenceId);
        Assert.Equal(42, view.SequenceNr);
        Assert.Equal(9, view.Epoch);
        Assert.Equal(-3, view.SerializerId);
        Assert.Equal("adapter", System.Text.Encoding.UTF8.GetString(view.ManifestUtf8));
        Assert.Equal("manifest", System.Text.Encoding.UTF8.GetString(view.SerializerManifestUtf8));
        Assert.Equal(new byte[] { 1, 2, 3 }, view.Payload.ToArray());
    }
}
