namespace AegisKV.Server.Configuration;

/// <summary>
/// A node setting that can be given as <c>--name</c>, as <c>AEGIS_NAME</c> in the environment,
/// or as <c>aegis.name</c> in a HOCON file.
/// </summary>
/// <param name="Name">Flag name without dashes, also the HOCON key under <c>aegis</c>.</param>
/// <param name="Description">One line for <c>--help</c>.</param>
public sealed record NodeFlag(string Name, string Description)
{
    /// <summary>The flag as typed: <c>--name</c>.</summary>
    public string Flag => "--" + Name;

    /// <summary>The HOCON path: <c>aegis.name</c>.</summary>
    public string Path => "aegis." + Name;

    /// <summary>The environment variable: <c>AEGIS_NAME</c>.</summary>
    public string EnvironmentVariable => "AEGIS_" + Name.Replace('-', '_').ToUpperInvariant();

    /// <summary>Every node flag this version accepts.</summary>
    public static IReadOnlyList<NodeFlag> All { get; } =
    [
        new("node-id", "Unique node name (default: the host name)."),
        new("bind", "Client RESP listen address host:port, or none for TLS clients only (default 0.0.0.0:7700)."),
        new("tls-bind", "TLS client listen address host:port, beside --bind (default: no TLS)."),
        new("tls-cert", "The node's TLS certificate, PEM (its intermediate CAs after it); reloaded when it changes."),
        new("tls-key", "The TLS certificate's private key, PEM."),
        new("tls-ca", "CA (PEM) that client certificates are checked against."),
        new("tls-client-auth", "Client certificates: none, optional or require (default none)."),
        new("gossip", "Cluster gossip listen address host:port (default 0.0.0.0:7701)."),
        new("gossip-advertise", "Address other nodes use to reach this one (default: from --gossip)."),
        new("health", "HTTP address for /health, /ready, /live, /metrics, /admin and /dashboard (default :7702)."),
        new("seeds", "Comma-separated gossip addresses of seed nodes (default: form a new cluster)."),
        new("shards", "Number of shards, fixed for the life of the cluster (default 64)."),
        new("replication-factor", "Copies of each shard, on as many nodes, fixed for the life of the cluster (default 1)."),
        new("write-quorum", "Copies that must hold a write before it is acknowledged: majority, all or a number (default majority)."),
        new("replace-after", "How long a group member's node may be gone before its groups get a new member, e.g. 10m (default 10m)."),
        new("wal", "WAL durability: off, write or fsync (default fsync)."),
        new("data-dir", "Directory for the WAL and snapshots (default ./data)."),
        new("max-memory", "Megabytes of keys and values before writes answer -OOM (default 1024)."),
        new("eviction-policy", "What goes at --max-memory: noeviction, allkeys-lru, allkeys-lfu, allkeys-random, volatile-lru, volatile-lfu, volatile-random, volatile-ttl (default noeviction)."),
        new("slowlog-log-slower-than", "Microseconds from which a command goes to SLOWLOG; negative is off (default 10000)."),
        new("auth-token", "Token clients must AUTH with (default: none)."),
        new("auth-token-file", "File holding the token clients must AUTH with, instead of --auth-token (kept out of ps)."),
        new("gossip-secret", "Secret every node-to-node connection must prove it holds before any message passes (default: none)."),
        new("gossip-secret-file", "File holding the gossip secret, instead of --gossip-secret (kept out of ps)."),
        new("cluster-tls-cert", "This node's certificate for node-to-node mutual TLS, PEM."),
        new("cluster-tls-key", "Its private key, PEM."),
        new("cluster-tls-ca", "CA (PEM) that every node's certificate must be signed by."),
        new("log-level", "debug, info, warn or error (default info)."),
        new("log-format", "text or json (default text)."),
        new("max-clients", "Most client connections open at once (default 10000)."),
        new("timeout", "Seconds before an idle client is closed; 0 is never (default 0)."),
        new("drain-timeout", "Graceful shutdown limit, e.g. 30s (default 30s)."),
        new("script-timeout", "How long a Lua script runs before its shard answers -BUSY and SCRIPT KILL may stop it, e.g. 5s (default 5s)."),
    ];
}
