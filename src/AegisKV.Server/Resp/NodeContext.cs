using AegisKV.Core.State;
using AegisKV.Server.Configuration;
using AegisKV.Server.Metrics;

namespace AegisKV.Server.Resp;

/// <summary>What every client connection of a node shares.</summary>
/// <param name="Settings">The node's settings.</param>
/// <param name="Router">Routes keyed commands to shards.</param>
/// <param name="Statistics">Node-wide counters.</param>
/// <param name="Memory">Memory held by this node's shards.</param>
/// <param name="Metrics">Per-command Prometheus series.</param>
/// <param name="Region">The shard region.</param>
/// <param name="LocalShards">Shard actors serving on this node.</param>
public sealed record NodeContext(
    NodeSettings Settings,
    CommandRouter Router,
    NodeStatistics Statistics,
    NodeMemory Memory,
    ServerMetrics Metrics,
    Akka.Actor.IActorRef Region,
    AegisKV.Core.Sharding.LocalShards LocalShards)
{
    /// <summary>The AegisKV version, as <c>aegis --version</c> prints it.</summary>
    public static string Version { get; } =
        typeof(NodeContext).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>Holds key commands back until the node is admitted to its cluster.</summary>
    public JoinGate Gate { get; } = new();

    /// <summary>Keyspace notifications, settable with CONFIG SET notify-keyspace-events.</summary>
    public KeyspaceEvents Notifications { get; init; } = new();

    /// <summary>The scripts this node knows by SHA1, for EVALSHA.</summary>
    public AegisKV.Scripting.ScriptCache Scripts { get; } = new();

    /// <summary>Scripts running on this node's shards, for -BUSY and SCRIPT KILL; none when scripting is off.</summary>
    public AegisKV.Core.Scripting.ScriptMonitor ScriptMonitor { get; init; } = new(TimeSpan.FromSeconds(5));

    /// <summary>The node's pub/sub subscriptions, and delivery to them and to the other nodes.</summary>
    public PubSub.PubSubHub PubSub { get; } = new();

    /// <summary>The open client connections.</summary>
    public ClientDirectory Clients { get; } = new();

    /// <summary>The cluster's members and shard placement as this node sees them.</summary>
    public Topology.ClusterTopology? Topology { get; init; }

    /// <summary>The replica groups this node leads, with the replication counters; empty without replication.</summary>
    public AegisKV.Core.Replication.ReplicationStatus Replication { get; init; } = new();

    /// <summary>Where connections log what an operator must hear of (wrong AUTH tokens): never a token itself.</summary>
    public Microsoft.Extensions.Logging.ILogger Log { get; init; } = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    /// <summary>The client port actually bound (differs from the setting when that was 0); the TLS one when plain is off.</summary>
    public int ClientPort { get; set; }

    /// <summary>The TLS client port actually bound; 0 without TLS.</summary>
    public int TlsPort { get; set; }
}
