using AegisKV.Cluster.Custody;
using AegisKV.Core.Commands;
using AegisKV.Core.Replication;
using AegisKV.Core.Replies;
using AegisKV.Core.Sharding;
using AegisKV.Core.State;
using AegisKV.Replication;
using Akka.Serialization;
using static System.Text.Encoding;
using CustodyPrepare = AegisKV.Cluster.Custody.Prepare;
using CustodyPromise = AegisKV.Cluster.Custody.Promise;
using ReplicaPromise = AegisKV.Replication.Promise;

namespace AegisKV.Fuzz.Targets;

/// <summary>
/// What a node decodes from another node's bytes: every message of the shard, hand-off, replication, custody, pub/sub and
/// monitoring serializers. The first input byte picks the serializer and manifest (from <see cref="Kinds"/>), the rest is
/// the message.
/// </summary>
public sealed class NodeMessageTarget : FuzzTarget
{
    // One sample of each message kind: the fuzzer's seeds, and the (serializer, manifest) table the first byte indexes.
    private static readonly Lazy<(SerializerWithStringManifest Serializer, string Manifest, byte[] Sample)[]> Kinds = new(() =>
    {
        var kinds = new List<(SerializerWithStringManifest, string, byte[])>();
        foreach (var message in Samples())
        {
            var (serializer, manifest) = NodeSerialization.For(message);
            kinds.Add(((SerializerWithStringManifest)serializer, manifest, serializer.ToBinary(message)));
        }

        return kinds.ToArray();
    });

    /// <inheritdoc />
    public override string Name => "messages";

    /// <inheritdoc />
    public override void Run(ReadOnlySpan<byte> input)
    {
        if (input.Length == 0) return;
        var kinds = Kinds.Value;
        var (serializer, manifest, _) = kinds[input[0] % kinds.Length];
        try
        {
            serializer.FromBinary(input[1..].ToArray(), manifest);
        }
        catch (Exception e) when (NodeSerialization.IsDesignedRefusal(e))
        {
        }
    }

    /// <inheritdoc />
    public override IEnumerable<(string Name, byte[] Data)> Seeds()
    {
        var kinds = Kinds.Value;
        for (var i = 0; i < kinds.Length; i++)
            yield return ($"{i:D2}-{kinds[i].Manifest}", [(byte)i, .. kinds[i].Sample]);
    }

    private static IEnumerable<object> Samples()
    {
        static byte[] B(string text) => UTF8.GetBytes(text);
        var epoch = new Epoch(7, "node-1/abcd0123");
        var group = new GroupConfiguration(["node-1/abcd0123", "node-2/ef456789", "node-3/01234567"]);
        var ballot = new Ballot(3, "node-2");
        var members = Membership.Of([KeyValuePair.Create("node-1", new Membership.Entry(1, true, "akka.tcp://aegis@127.0.0.1:7701"))]);

        // Shards: requests and replies between nodes, and the events and snapshots replicas carry.
        yield return new ShardBatch(3, 42, [new ShardCommand(CommandId.Get, [B("k")]), new ShardCommand(CommandId.Incr, [B("n")])]);
        yield return new ShardBatch(3, 43, [new ShardCommand(CommandId.Set, [B("k"), B("v")])], Atomic: true);
        yield return new ShardBatchReply(42, [Reply.Ok, Reply.Integer(2), new ArrayReply([Reply.Nil, new BulkReply(B("x"))])]);
        yield return new ArrayReply([Reply.Ok, Reply.Nil, Reply.Integer(-5), new BulkReply(B("x")), Reply.NilArray, new ArrayReply([Reply.Ok])]);
        yield return new ValueSet(2, B("k"), B("v"), 1234);
        yield return new KeysDeleted(2, [B("a"), B("b")]);
        yield return new ExpirySet(2, B("k"), 99);
        yield return new HashFieldsSet(2, B("h"), [B("f"), B("v")], KeepTtl: true);
        yield return new ShardSnapshot(3, [new SnapshotEntry(B("k"), B("v"), 0)]);
        yield return new ShardRecovered(7, 100, 2);
        yield return new ShardStats(5, 1200, 98_304, 7, ShardMode.Refusing);

        // Replication.
        yield return new ReplicaEnvelope(4, new Append("a", "b", epoch, 6, 120,
            [new LogEntry(7, 121, ReadOnlyMemory<byte>.Empty, EntryKind.EpochStart, group), new LogEntry(7, 122, B("payload"))], 119, 123_456));
        yield return new ReplicaEnvelope(4, new ReplicaPromise("b", "a", epoch, 6, 120, 118));
        yield return new ReplicaEnvelope(4, new AppendReply("b", "a", epoch, false, 7, 123_456, Full: true));
        yield return new ReplicaEnvelope(4, new Fetched("b", "a", epoch, 100, [new LogEntry(6, 201, B("y"))],
            new SnapshotImage(new SnapshotBase(200, 6, group), B("state"))));
        yield return new ReplicaEnvelope(4, new InstallSnapshot("a", "b", epoch, new SnapshotImage(new SnapshotBase(200, 6, null), B("state")), 210, 99));

        // Hand-off of a shard's state to its next owner.
        yield return new HandoffOffer(4, 9, 1000, 2, 0xDEADBEEF);
        yield return new HandoffChunk(4, 1, 512, B("chunk"), 0x1234);
        yield return new HandoffRefused(4, "busy");

        // Custody of shards and cluster membership.
        yield return new CustodyPrepare(11, "shard/4", ballot);
        yield return new CustodyPromise(11, "node-2", true, new Register(ballot, ballot, "node-1"), members);
        yield return new Accept(11, "shard/4", ballot, "node-1");
        yield return new MergeMembership(members);

        // Added later, at the end: a corpus file names its kind by position.
        yield return new ListPushed(2, B("l"), true, [B("a"), B("b")], 3);
        yield return new ListTrimmed(2, B("l"), 1, 2, 4);
        yield return new ListSpliced(2, B("l"), 0, 1, [B("v")], 5);
        yield return new ListElementsRemoved(2, B("l"), [0, 2], 6);
        yield return new ShardSnapshot(3, [new SnapshotEntry(B("l"), ListValue.From([B("x"), B("y")], 9), 0)]);
        yield return new CancelBlocked(3, 77);
        yield return new AegisKV.Cluster.PubSub.ChannelMessage("node-1", B("news"), B("hello"), Sharded: false);

        // Monitoring: one node asking another for its dashboard figures.
        yield return AegisKV.Cluster.Monitoring.GetNodeFigures.Instance;
        yield return new AegisKV.Cluster.Monitoring.NodeFigures("node-2", 3600, true, 1234.5, 0.5, 512, 1 << 20, 1 << 30, 1L << 34, 1L << 36, 2048, 40, 17, 900, 21, 0, 1);

        // Replication messages for several shards of one node, sent as one.
        yield return new ReplicaBatch([new ReplicaEnvelope(4, new AppendReply("b", "a", epoch, true, 122, 123_456)),
            new ReplicaEnvelope(9, new Append("a", "b", epoch, 6, 120, [new LogEntry(7, 121, B("payload"))], 119, 123_456))]);
    }
}
