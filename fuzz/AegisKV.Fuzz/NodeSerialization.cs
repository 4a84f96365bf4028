using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;
using AegisKV.Cluster.Custody;
using AegisKV.Core;

namespace AegisKV.Fuzz;

/// <summary>
/// The serializers a node reads the network, its WAL and its snapshots with, bound as a node binds them; made once
/// per process, on the first input that needs them (instrumented code may run only once the fuzzer has started).
/// </summary>
internal static class NodeSerialization
{
    private static readonly Lazy<ActorSystem> System = new(() =>
        ActorSystem.Create("fuzz", ShardSettings.DefaultConfig().WithFallback(ClusterCustody.DefaultConfig())));

    public static Serialization Serialization => System.Value.Serialization;

    /// <summary>The serializer <paramref name="message"/> travels with, and its manifest.</summary>
    public static (Serializer Serializer, string Manifest) For(object message)
    {
        var serializer = Serialization.FindSerializerFor(message);
        return (serializer, Serialization.ManifestFor(serializer, message));
    }

    /// <summary>
    /// Decodes what a WAL record or snapshot file names, as replay does, when AegisKV's own serializer wrote it;
    /// records naming one of Akka's serializers are left to Akka's own tests.
    /// </summary>
    public static void DeserializeStored(byte[] payload, int serializerId, string manifest)
    {
        // AegisKV's serializers take the identifiers from 7700 (the reference.conf files of AegisKV.Core and AegisKV.Cluster).
        if (serializerId is < 7700 or > 7799) return;
        try
        {
            Serialization.Deserialize(payload, serializerId, manifest);
        }
        catch (Exception e) when (IsDesignedRefusal(e))
        {
            // Replay fails the shard's recovery with this error, and the snapshot store skips the file: as designed.
        }
    }

    /// <summary>
    /// True for the refusals a reader documents for malformed input. Anything else escaping a reader is a finding:
    /// the caller may not expect it, and it says the reader went somewhere its author did not plan for.
    /// </summary>
    public static bool IsDesignedRefusal(Exception e) => e is SerializationException or FormatException;
}
