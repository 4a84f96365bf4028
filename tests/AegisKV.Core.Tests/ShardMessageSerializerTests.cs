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
        { new ValueSet(2, B("k"), B("v"), 1234), "VS" },
        { new KeysDeleted(2, [B("a"), B("b")]), "KD" },
        { new ExpirySet(2, B("k"), 99), "ES" },
        { new ShardCleared(2), "SC" },
        { new EpochStarted(3), "EP" },
        { new ShardSnapshot(3, [new SnapshotEntry(B("k"), B("v"), 0)]), "SN" },
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

    // Golden bytes of an event as it sits in the WAL: version 1, epoch, key, value, expiry.
    [Fact]
    public void A_ValueSet_event_should_keep_its_binary_format()
    {
        var bytes = Serializer.ToBinary(new ValueSet(2, B("k"), B("val"), 1234));
        Assert.Equal("01" + "0200000000000000" + "016B" + "0376616C" + "D204000000000000", Convert.ToHexString(bytes));
    }

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
        ShardSnapshot s => $"{s.Epoch} {string.Join(",", s.Entries.Select(x => Convert.ToHexString(x.Key) + "=" + Convert.ToHexString(x.Value) + "@" + x.ExpireAtMs))}",
        Reply r => Show(r),
        _ => message.ToString()!,
    };
}
