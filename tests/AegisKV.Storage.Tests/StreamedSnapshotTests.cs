using Akka.Actor;
using Akka.Persistence;
using Xunit.Abstractions;

namespace AegisKV.Storage.Tests;

/// <summary>
/// A snapshot whose serializer streams is read back from its file in place (a pooled buffer, no copy of its payload):
/// the store finds the serializer through the type bound to it.
/// </summary>
public sealed class StreamedSnapshotTests(ITestOutputHelper output) : WalTestKit(output, """
    akka.actor.serializers.streamed-test = "AegisKV.Storage.Tests.StreamedSnapshotTests+Serializer, AegisKV.Storage.Tests"
    akka.actor.serialization-bindings { "AegisKV.Storage.Tests.StreamedSnapshotTests+State, AegisKV.Storage.Tests" = streamed-test }
    akka.actor.serialization-identifiers { "AegisKV.Storage.Tests.StreamedSnapshotTests+Serializer, AegisKV.Storage.Tests" = 9071 }
    """)
{
    [Fact]
    public async Task A_snapshot_whose_serializer_streams_is_read_back_in_place()
    {
        var state = new State(new string('x', 300_000) + "end");
        Persistence.Instance.Apply(Sys).SnapshotStoreFor(null).Tell(new SaveSnapshot(new SnapshotMetadata("streamed", 7, DateTime.UtcNow), state), TestActor);
        ExpectMsg<SaveSnapshotSuccess>(Timeout);

        var node = await RestartAsync(Sys);
        var probe = CreateTestProbe(node);
        Persistence.Instance.Apply(node).SnapshotStoreFor(null).Tell(new LoadSnapshot("streamed", SnapshotSelectionCriteria.Latest, long.MaxValue), probe.Ref);

        var loaded = probe.ExpectMsg<LoadSnapshotResult>(Timeout);
        Assert.Equal(7, loaded.Snapshot?.Metadata.SequenceNr);
        Assert.Equal(state, loaded.Snapshot!.Snapshot);
    }

    public sealed record State(string Text);

    /// <summary>Reads only in place: the copying path of Akka's serialization fails.</summary>
    public sealed class Serializer(ExtendedActorSystem system) : Akka.Serialization.SerializerWithStringManifest(system), IStreamingSerializer
    {
        public override string Manifest(object o) => "T";

        public override byte[] ToBinary(object obj) => System.Text.Encoding.UTF8.GetBytes(((State)obj).Text);

        public override object FromBinary(byte[] bytes, string manifest) => throw new InvalidOperationException("this serializer reads in place only");

        public long StreamedSize(object obj) => obj is State state ? System.Text.Encoding.UTF8.GetByteCount(state.Text) : -1;

        public void WriteTo(object obj, Stream stream) => stream.Write(ToBinary(obj));

        public object ReadFrom(ReadOnlySpan<byte> bytes, string manifest) => new State(System.Text.Encoding.UTF8.GetString(bytes));
    }
}
