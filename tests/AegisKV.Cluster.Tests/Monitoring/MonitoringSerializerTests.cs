using System.Runtime.Serialization;
using Akka.Actor;
using AegisKV.Cluster.Custody;
using AegisKV.Cluster.Monitoring;

namespace AegisKV.Cluster.Tests.Monitoring;

public sealed class MonitoringSerializerTests : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("monitoring", ClusterCustody.DefaultConfig());

    public void Dispose() => _system.Dispose();

    [Fact]
    public void Node_figures_should_travel_as_they_were_and_with_the_monitoring_serializer()
    {
        var figures = new NodeFigures("node-2", 3600, true, 12345.5, 0.25, 4096, 1 << 20, 1 << 30, 50_000_000_000, 270_000_000_000, 2048, 40.5, 17, 99_000, 21, 1, 2);
        var serializer = _system.Serialization.FindSerializerFor(figures);
        Assert.IsType<MonitoringSerializer>(serializer);
        Assert.Equal(7705, serializer.Identifier);
        var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, figures);
        Assert.Equal(figures, _system.Serialization.Deserialize(serializer.ToBinary(figures), serializer.Identifier, manifest));
        var ask = _system.Serialization.FindSerializerFor(GetNodeFigures.Instance);
        Assert.Same(GetNodeFigures.Instance, _system.Serialization.Deserialize(ask.ToBinary(GetNodeFigures.Instance), ask.Identifier,
            Akka.Serialization.Serialization.ManifestFor(ask, GetNodeFigures.Instance)));
    }

    [Fact]
    public void Short_or_trailing_bytes_should_be_refused_as_a_serialization_error()
    {
        var serializer = (MonitoringSerializer)_system.Serialization.FindSerializerFor(GetNodeFigures.Instance);
        var bytes = serializer.ToBinary(new NodeFigures("n", 1, false, 0, 0, -1, 0, 0, 0, 0, -1, 0, 0, 0, 0, 0, 0));
        Assert.Throws<SerializationException>(() => serializer.FromBinary(bytes[..^3], "NF"));
        Assert.Throws<SerializationException>(() => serializer.FromBinary([.. bytes, 0], "NF"));
        Assert.Throws<SerializationException>(() => serializer.FromBinary([], "GF"));
        Assert.Throws<SerializationException>(() => serializer.FromBinary(bytes, "XX"));
    }
}
