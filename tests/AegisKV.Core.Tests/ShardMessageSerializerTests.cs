using Akka.Actor;
using Akka.Serialization;
using AegisKV.Core.Commands;
using AegisKV.Core.Replies;
using AegisKV.Core.Serialization;
using AegisKV.Core.Sharding;
using AegisKV.Core.State;
using static AegisKV.Core.Tests.Text;

namespace AegisKV.Core.Tests;

public sealed class ShardMessageSerializerTests : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("serializer", ShardSettings.DefaultConfig());

    public void Dispose() => _system.Dispose();

    private SerializerWithStringManifest Serializer =>
        (SerializerWithStringManifest)_system.Serialization.FindSerializerForType(typeof(ValueSet));

    public static TheoryData<object, string> Messages => new()
    {
        { new ShardBatch(3, 42, [new ShardCommand(CommandId.Get, [B("k")]), new ShardCommand(CommandId.Incr, [B("n")])]), "QB" },
        { new ShardBatch(3, 43, [new ShardCommand(CommandId.Set, [B("k"), B("v")])], Atomic: true), "QT" },
        { new ShardBatchReply(42, [Reply.Ok, Reply.Integer(2)]), "PB" },
        { new RecoverShard(7), "RS" },
        { new ShardRecovered(7, 100, 2), "RD" },
        { StopShard.Instance, "X" },
        { new GetShardStats(5), "GS" },
        { new ShardStats(5, 1200, 98_304, 7, ShardMode.Refusing), "ST" },
        { new ValueSet(2, B("k"), B("v"), 1234), "VS" },
        { new KeysDeleted(2, [B("a"), B("b")]), "KD" },
        { new ExpirySet(2, B("k"), 99), "ES" },
        { new ShardCleared(2), "SC" },
        { new EpochStarted(3), "EP" },
        { new ShardSnapshot(3, [new SnapshotEntry(B("k"), B("v"), 0), new SnapshotEntry(B("h"), Hash(("f", "v", 0), ("g", "w", 77)), 5)]), "S2" },
        { new HashFieldsSet(2, B("h"), [B("f"), B("v"), B("g"), B("w")], KeepTtl: true), "HS" },
        { new HashFieldsDeleted(2, B("h"), [B("f")]), "HD" },
        { new HashFieldsExpirySet(2, B("h"), [B("f"), B("g")], 1234), "HX" },
        { new EntryRestored(2, B("h"), Hash(("f", "v", 9)), 55), "ER" },
        { new EntryRestored(2, B("s"), B("text"), 0), "ER" },
        { new EntryRestored(2, B("l"), ListValue.From([B("a"), B("b")], 7), 0), "ER" },
        { new ShardSnapshot(3, [new SnapshotEntry(B("l"), ListValue.From([B("x"), B(""), B("y")], 12), 0)]), "S2" },
        { new ListPushed(2, B("l"), true, [B("a"), B("b")], 3), "LP" },
        { new ListTrimmed(2, B("l"), 1, 300, 4), "LT" },
        { new ListSpliced(2, B("l"), 5, 1, [B("v")], 5), "LS" },
        { new ListElementsRemoved(2, B("l"), [0, 3, 900], 6), "LR" },
        { new CancelBlocked(4, 77), "CB" },
        { new ArrayReply([Reply.Ok, Reply.Nil, Reply.Integer(-5), new BulkReply(B("x")), Errors.Syntax, Reply.NilArray]), "P" },
    };

    // Manifests are written to disk and cross the wire: changing one breaks existing data.
    [Theory]
    [MemberData(nameof(Messages))]
    public void Manifests_should_never_change(object message, string manifest)
    {
        Assert.Equal(7700, Serializer.Identifier);
        Assert.IsType<ShardMessageSerializer>(_system.Serialization.FindSerializerFor(message));
        Assert.Equal(manifest, Serializer.Manifest(message));
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void Messages_should_survive_a_round_trip(object message, string manifest)
    {
        var copy = Serializer.FromBinary(Serializer.ToBinary(message), manifest);
        Assert.Equal(Describe(message), Describe(copy));
    }

    // The WAL encodes events through the thread's scratch buffer: its bytes must be ToBinary's, call after call.
    [Theory]
    [MemberData(nameof(Messages))]
    public void Serializing_to_scratch_should_give_the_bytes_of_ToBinary(object message, string manifest)
    {
        var scratch = (AegisKV.Storage.IScratchSerializer)Serializer;
        var large = new ValueSet(1, B("big"), new byte[300_000], 0);
        Assert.Equal(Convert.ToHexString(Serializer.ToBinary(large)), Convert.ToHexString(scratch.SerializeToScratch(large)));
        for (var i = 0; i < 2; i++)
            Assert.Equal(Convert.ToHexString(Serializer.ToBinary(message)), Convert.ToHexString(scratch.SerializeToScratch(message)));
        Assert.Equal(Describe(message), Describe(Serializer.FromBinary(scratch.SerializeToScratch(message).ToArray(), manifest)));
    }

    // Golden bytes of an event as it sits in the WAL: version 1, epoch, key, value, expiry.
    [Fact]
    public void A_ValueSet_event_should_keep_its_binary_format()
    {
        var bytes = Serializer.ToBinary(new ValueSet(2, B("k"), B("val"), 1234));
        Assert.Equal("01" + "0200000000000000" + "016B" + "0376616C" + "D204000000000000", Convert.ToHexString(bytes));
    }

    // Snapshots written before hashes hold strings only, under manifest "SN": they stay readable.
    [Fact]
    public void A_string_only_snapshot_should_still_be_read()
    {
        var bytes = Convert.FromHexString("01" + "0300000000000000" + "01" + "016B" + "0176" + "0000000000000000");
        var snapshot = Assert.IsType<ShardSnapshot>(Serializer.FromBinary(bytes, "SN"));
        Assert.Equal("3 6B=76@0", Describe(snapshot));
    }

    [Fact]
    public void A_streamed_snapshot_should_be_the_same_bytes_as_the_serialized_one()
    {
        // Values larger than the writer's buffer go to the stream directly: both paths are covered.
        var large = new byte[200_000];
        Random.Shared.NextBytes(large);
        var entries = Enumerable.Range(0, 5000)
            .Select(i => new SnapshotEntry(B("key:" + i), i % 1000 == 0 ? large : B("value " + i), i % 7))
            .Append(new SnapshotEntry(B("h"), Hash(("f", "v", 0), ("g", "w", 77)), 5))
            .ToArray();
        var snapshot = new ShardSnapshot(4, entries);
        var streaming = (AegisKV.Storage.IStreamingSerializer)Serializer;
        using var stream = new MemoryStream();

        streaming.WriteTo(snapshot, stream);

        var whole = Serializer.ToBinary(snapshot);
        Assert.Equal(whole.Length, streaming.StreamedSize(snapshot));
        Assert.True(whole.AsSpan().SequenceEqual(stream.ToArray()));
        Assert.Equal(Describe(snapshot), Describe(Serializer.FromBinary(stream.ToArray(), "S2")));
        Assert.Equal(Describe(snapshot), Describe(streaming.ReadFrom(stream.ToArray(), "S2")));
    }

    [Fact]
    public void Only_snapshots_should_be_streamed() =>
        Assert.Equal(-1, ((AegisKV.Storage.IStreamingSerializer)Serializer).StreamedSize(new ShardCleared(2)));

    [Fact]
    public void An_unknown_format_version_should_be_refused() =>
        Assert.Throws<System.Runtime.Serialization.SerializationException>(() => Serializer.FromBinary([9, 0, 0], "SC"));

    private static string Describe(object message) => message switch
    {
        ShardBatch b => $"{b.ShardId} {b.RequestId} {b.Atomic} {string.Join(";", b.Commands.Select(c => c.Command + " " + string.Join(",", c.Arguments.Select(Convert.ToHexString))))}",
        ShardBatchReply p => $"{p.RequestId} {string.Join(";", p.Replies.Select(Show))}",
        ValueSet v => $"{v.Epoch} {Convert.ToHexString(v.Key)} {Convert.ToHexString(v.Value)} {v.ExpireAtMs}",
        KeysDeleted d => $"{d.Epoch} {string.Join(",", d.Keys.Select(Convert.ToHexString))}",
        ExpirySet e => $"{e.Epoch} {Convert.ToHexString(e.Key)} {e.ExpireAtMs}",
        ShardSnapshot s => $"{s.Epoch} {string.Join(",", s.Entries.Select(x => Convert.ToHexString(x.Key) + "=" + ShowData(x.Data) + "@" + x.ExpireAtMs))}",
        HashFieldsSet h => $"{h.Epoch} {Convert.ToHexString(h.Key)} {string.Join(",", h.FieldsAndValues.Select(Convert.ToHexString))} {h.KeepTtl}",
        HashFieldsDeleted h => $"{h.Epoch} {Convert.ToHexString(h.Key)} {string.Join(",", h.Fields.Select(Convert.ToHexString))}",
        HashFieldsExpirySet h => $"{h.Epoch} {Convert.ToHexString(h.Key)} {string.Join(",", h.Fields.Select(Convert.ToHexString))} {h.ExpireAtMs}",
        EntryRestored e => $"{e.Epoch} {Convert.ToHexString(e.Key)} {ShowData(e.Data)} {e.ExpireAtMs}",
        ListPushed l => $"{l.Epoch} {Convert.ToHexString(l.Key)} {l.Left} {string.Join(",", l.Elements.Select(Convert.ToHexString))} {l.Generation}",
        ListSpliced l => $"{l.Epoch} {Convert.ToHexString(l.Key)} {l.Index} {l.Removed} {string.Join(",", l.Inserted.Select(Convert.ToHexString))} {l.Generation}",
        ListElementsRemoved l => $"{l.Epoch} {Convert.ToHexString(l.Key)} {string.Join(",", l.Indexes)} {l.Generation}",
        Reply r => Show(r),
        _ => message.ToString()!,
    };

    private static HashValue Hash(params (string Field, string Value, long ExpireAtMs)[] fields) =>
        HashValue.From(fields.Select(f => new KeyValuePair<byte[], HashField>(B(f.Field), new HashField(B(f.Value), f.ExpireAtMs))));

    private static string ShowData(object data) => data switch
    {
        byte[] text => Convert.ToHexString(text),
        HashValue hash => "{" + string.Join(",", hash.Fields.Select(f => $"{Convert.ToHexString(f.Key)}:{Convert.ToHexString(f.Value.Value)}@{f.Value.ExpireAtMs}").Order()) + "}",
        ListValue list => "[" + string.Join(",", list.Items.Select(Convert.ToHexString)) + "]#" + list.Generation,
        _ => data.ToString()!,
    };
}
