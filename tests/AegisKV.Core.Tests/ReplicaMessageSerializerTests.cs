using Akka.Actor;
using Akka.Serialization;
using AegisKV.Core.Replication;
using AegisKV.Core.Serialization;
using AegisKV.Core.State;
using AegisKV.Replication;
using CsCheck;
using static AegisKV.Core.Tests.Text;

namespace AegisKV.Core.Tests;

public sealed class ReplicaMessageSerializerTests : IDisposable
{
    private static readonly Epoch Epoch = new(7, "node-1/abcd0123");
    private static readonly GroupConfiguration Group = new(["node-1/abcd0123", "node-2/ef456789", "node-3/01234567"]);

    private readonly ActorSystem _system = ActorSystem.Create("replica-serializer", ShardSettings.DefaultConfig());

    public void Dispose() => _system.Dispose();

    private SerializerWithStringManifest Serializer => (SerializerWithStringManifest)_system.Serialization.FindSerializerForType(typeof(ReplicaEnvelope));

    private static readonly ReplicaMessage[] AllMessages =
    [
        new Prepare("a", "b", Epoch),
        new Prepare(new string('m', 200), "nöde-2/äöü€", new Epoch(1, new string('é', 150))),
        new Promise("b", "a", Epoch, 6, 120, 118),
        new Refusal("b", "a", Epoch, new Epoch(8, "node-3/01234567")),
        new Append("a", "b", Epoch, 6, 120,
            [new LogEntry(7, 121, ReadOnlyMemory<byte>.Empty, EntryKind.EpochStart, Group), new LogEntry(7, 122, B("payload"))], 119, 123_456),
        new Append("a", "b", Epoch, 0, 0, [], 0, 1),
        new Append("a", "b", Epoch, 6, 120, [], 119, 5, RejoinAt: 118),
        new AppendReply("b", "a", Epoch, true, 122, 123_456),
        new AppendReply("b", "a", Epoch, false, 7, 123_456, Full: true),
        new AppendReply("b", "a", Epoch, false, 0, 123_456, Rejoining: true),
        new Abstain("b", "a", Epoch),
        new Fetch("a", "b", Epoch, 100),
        new Fetched("b", "a", Epoch, 100, [new LogEntry(6, 101, B("x"))]),
        new Fetched("b", "a", Epoch, 100, [new LogEntry(6, 201, B("y"))], new SnapshotImage(new SnapshotBase(200, 6, Group), B("state"))),
        new InstallSnapshot("a", "b", Epoch, new SnapshotImage(new SnapshotBase(200, 6, null), B("state")), 210, 99),
    ];

    public static TheoryData<ReplicaMessage> Messages
    {
        get
        {
            var data = new TheoryData<ReplicaMessage>();
            foreach (var message in AllMessages) data.Add(message);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void Replication_messages_should_survive_a_round_trip(ReplicaMessage message)
    {
        Assert.Equal(7703, Serializer.Identifier);
        var envelope = new ReplicaEnvelope(5, message);
        var copy = Assert.IsType<ReplicaEnvelope>(Serializer.FromBinary(Serializer.ToBinary(envelope), Serializer.Manifest(envelope)));
        Assert.Equal(5, copy.ShardId);
        Assert.Equal(Describe(message), Describe(copy.Message));
    }

    [Fact]
    public void A_batch_should_carry_every_message_in_order_through_its_own_binding()
    {
        var messages = AllMessages;
        var batch = new ReplicaBatch([.. messages.Select((m, i) => new ReplicaEnvelope(i, m))]);
        var serializer = (SerializerWithStringManifest)_system.Serialization.FindSerializerFor(batch);
        Assert.Equal(7703, serializer.Identifier);

        var copy = Assert.IsType<ReplicaBatch>(serializer.FromBinary(serializer.ToBinary(batch), serializer.Manifest(batch)));

        Assert.Equal(messages.Length, copy.Envelopes.Count);
        for (var i = 0; i < messages.Length; i++)
        {
            Assert.Equal(i, copy.Envelopes[i].ShardId);
            Assert.Equal(Describe(messages[i]), Describe(copy.Envelopes[i].Message));
        }
    }

    [Fact]
    public void A_batch_cut_short_should_be_refused_not_read_in_part()
    {
        var batch = new ReplicaBatch([new ReplicaEnvelope(1, new Prepare("a", "b", Epoch)), new ReplicaEnvelope(2, new Fetch("a", "b", Epoch, 100))]);
        var bytes = Serializer.ToBinary(batch);

        for (var length = 0; length < bytes.Length; length++)
            Assert.ThrowsAny<Exception>(() => Serializer.FromBinary(bytes[..length], Serializer.Manifest(batch)));
    }

    [Fact]
    public void Placement_questions_about_a_copy_and_their_answers_should_survive_a_round_trip()
    {
        foreach (object message in new object[] { new GetCopyState(12) })
        {
            var serializer = (SerializerWithStringManifest)_system.Serialization.FindSerializerFor(message);
            Assert.Equal(7703, serializer.Identifier);
            Assert.Equal(message, serializer.FromBinary(serializer.ToBinary(message), serializer.Manifest(message)));
        }

        foreach (var state in new[]
                 {
                     new CopyState(12, "node-1/abcd0123", true, false, 7, 4711, 4709, ["node-1/abcd0123", "node-3/01234567"]),
                     new CopyState(12, "node-2/ef456789", false, true, 0, 0, 0, []),
                     new CopyState(12, "node-3/01234567", false, false, 7, 4700, 4690, [], Starting: true),
                 })
        {
            var serializer = (SerializerWithStringManifest)_system.Serialization.FindSerializerFor(state);
            var copy = Assert.IsType<CopyState>(serializer.FromBinary(serializer.ToBinary(state), serializer.Manifest(state)));
            Assert.Equal(state with { InSync = [] }, copy with { InSync = [] });
            Assert.Equal(state.InSync, copy.InSync);
        }
    }

    private static readonly Gen<string> Members = Gen.Char['a', 'z'].Array[1, 12].Select(chars => new string(chars) + "/0123abcd");

    private static readonly Gen<LogEntry> AnyEntry = Gen.Select(Gen.Long[0, long.MaxValue], Gen.Long[1, long.MaxValue], Gen.Byte.Array[0, 100], Members.Array[0, 5],
        (epoch, sequence, payload, group) => group.Length == 0
            ? new LogEntry(epoch, sequence, payload)
            : new LogEntry(epoch, sequence, ReadOnlyMemory<byte>.Empty, EntryKind.Configuration, new GroupConfiguration(group)));

    // Whatever the fields hold, an append arrives as it was sent: a message between nodes is the one input from outside.
    [Fact]
    public void Any_append_and_any_answer_about_a_copy_should_survive_a_round_trip()
    {
        Gen.Select(Members, Members, Gen.Long[0, long.MaxValue], Gen.Long, Gen.Long, AnyEntry.Array[0, 8], Gen.Long, Gen.Long)
            .Select((from, to, counter, previous, commit, entries, sentAt, rejoinAt) =>
                new Append(from, to, new Epoch(counter, from), previous, previous, entries, commit, sentAt, rejoinAt))
            .Sample(append =>
            {
                var envelope = new ReplicaEnvelope(3, append);
                var copy = (ReplicaEnvelope)Serializer.FromBinary(Serializer.ToBinary(envelope), Serializer.Manifest(envelope));
                Assert.Equal(Describe(append), Describe(copy.Message));
            }, iter: 1000);

        Gen.Select(Gen.Int[0, 16383], Members, Gen.Int[0, 7], Gen.Long, Gen.Long, Gen.Long, Members.Array[0, 5])
            .Select((shard, member, flags, epoch, last, commit, inSync) =>
                new CopyState(shard, member, (flags & 1) != 0, (flags & 2) != 0, epoch, last, commit, inSync, Starting: (flags & 4) != 0))
            .Sample(state =>
            {
                var copy = (CopyState)Serializer.FromBinary(Serializer.ToBinary(state), Serializer.Manifest(state));
                Assert.Equal(state with { InSync = [] }, copy with { InSync = [] });
                Assert.Equal(state.InSync, copy.InSync);
            }, iter: 1000);
    }

    [Fact]
    public void The_events_of_one_replicated_command_should_survive_a_round_trip()
    {
        var events = new ShardEvents(3, [new ValueSet(3, B("k"), B("v"), 0), new KeysDeleted(3, [B("a")])]);
        var serializer = (SerializerWithStringManifest)_system.Serialization.FindSerializerFor(events);
        var copy = Assert.IsType<ShardEvents>(serializer.FromBinary(serializer.ToBinary(events), serializer.Manifest(events)));
        Assert.Equal("EB", serializer.Manifest(events));
        Assert.Equal(events.Events.Length, copy.Events.Length);
        Assert.Equal(B("v"), Assert.IsType<ValueSet>(copy.Events[0]).Value);
        var group = new GroupConfigured(3, true, ["a", "b"]);
        Assert.Equal(["a", "b"], Assert.IsType<GroupConfigured>(serializer.FromBinary(serializer.ToBinary(group), "GC")).Members);
    }

    // Records compare payloads by reference: compare what they say.
    private static string Describe(ReplicaMessage message) => message switch
    {
        Append a => $"append {a.From} {a.To} {a.Epoch} {a.PreviousEpoch} {a.PreviousSequence} {a.Commit} {a.SentAt} {a.RejoinAt} {Entries(a.Entries)}",
        Fetched f => $"fetched {f.From} {f.To} {f.Epoch} {f.After} {Entries(f.Entries)} {Image(f.Image)}",
        InstallSnapshot i => $"install {i.From} {i.To} {i.Epoch} {i.Commit} {i.SentAt} {Image(i.Image)}",
        _ => message.ToString(),
    };

    private static string Entries(IReadOnlyList<LogEntry> entries) =>
        string.Join(";", entries.Select(e => $"{e.Epoch},{e.Sequence},{e.Kind},{Convert.ToHexString(e.Payload.Span)},{e.Configuration}"));

    private static string Image(SnapshotImage? image) => image is null ? "-" : $"{image.Base.Sequence},{image.Base.Epoch},{image.Base.Configuration},{Convert.ToHexString(image.Payload.Span)}";
}
