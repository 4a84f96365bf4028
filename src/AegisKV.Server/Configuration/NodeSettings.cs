using System.Globalization;
using Akka.Configuration;
using AegisKV.Protocol;
using AegisKV.Server.Network;
using AegisKV.Storage;

namespace AegisKV.Server.Configuration;

/// <summary>
/// Everything a node is started with, read once from the merged configuration and validated.
/// Every problem is reported as <see cref="SettingsException"/> naming the flag.
/// </summary>
public sealed record NodeSettings
{
    /// <summary>Unique node name.</summary>
    public required string NodeId { get; init; }

    /// <summary>Client RESP listen address for plain connections; null when <c>--bind none</c> leaves only TLS.</summary>
    public required NodeEndpoint? Bind { get; init; }

    /// <summary>The TLS client listener; null when TLS is off.</summary>
    public ClientTlsSettings? Tls { get; init; }

    /// <summary>Where the node serves clients: the plain address, or the TLS one when plain is off.</summary>
    public NodeEndpoint ClientBind => Bind ?? Tls!.Bind;

    /// <summary>Gossip listen address.</summary>
    public required NodeEndpoint Gossip { get; init; }

    /// <summary>Address other nodes use for this one.</summary>
    public required NodeEndpoint GossipAdvertise { get; init; }

    /// <summary>HTTP health and metrics address.</summary>
    public required NodeEndpoint Health { get; init; }

    /// <summary>Seed gossip addresses; empty forms a new cluster.</summary>
    public required IReadOnlyList<NodeEndpoint> Seeds { get; init; }

    /// <summary>True when <see cref="Seeds"/> were not given but taken from the members this node last knew (it rejoins their cluster).</summary>
    public bool SeedsFromLastMembers { get; init; }

    /// <summary>Shards in the key space.</summary>
    public required int Shards { get; init; }

    /// <summary>WAL durability.</summary>
    public required WalMode Wal { get; init; }

    /// <summary>WAL and snapshot directory.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>Bytes of keys and values allowed; 0 is unlimited.</summary>
    public required long MaxMemoryBytes { get; init; }

    /// <summary>What goes when <see cref="MaxMemoryBytes"/> is reached.</summary>
    public required Core.State.EvictionPolicy EvictionPolicy { get; init; }

    /// <summary>Keys sampled per eviction.</summary>
    public required int EvictionSamples { get; init; }

    /// <summary>How long a script runs before its shard answers -BUSY.</summary>
    public TimeSpan ScriptTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Bytes one shard's Lua interpreter may hold.</summary>
    public long ScriptMaxMemory { get; init; } = 64L << 20;

    /// <summary>Keyspace notifications enabled at start (<see cref="Core.State.KeyspaceEvents"/> flags).</summary>
    public int NotifyKeyspaceEvents { get; init; }

    /// <summary>SLOWLOG threshold in microseconds; negative is off.</summary>
    public required long SlowlogThresholdMicros { get; init; }

    /// <summary>Most SLOWLOG entries kept.</summary>
    public required int SlowlogMaxLength { get; init; }

    /// <summary>Token clients must AUTH with; null when AUTH is off.</summary>
    public required string? AuthToken { get; init; }

    /// <summary>The secret every node-to-node connection proves it holds before any message passes; null when off.</summary>
    public string? GossipSecret { get; init; }

    /// <summary>Node-to-node mutual TLS: the node's certificate, its key and the cluster CA (PEM paths); null when off.</summary>
    public (string Certificate, string Key, string Ca)? ClusterTls { get; init; }

    /// <summary>Longest time a new node-to-node connection may take over the gossip-secret handshake (<c>aegis.cluster.handshake-timeout</c>).</summary>
    public TimeSpan GossipHandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Wrong AUTH attempts a connection may make before it is closed (<c>aegis.auth-max-failures</c>).</summary>
    public int AuthMaxFailures { get; init; } = 10;

    /// <summary>How long each wrong AUTH attempt waits for its answer (<c>aegis.auth-failure-delay</c>).</summary>
    public TimeSpan AuthFailureDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>debug, info, warn or error.</summary>
    public required string LogLevel { get; init; }

    /// <summary>text (one line per event) or json (one JSON object per line, for log shippers).</summary>
    public required string LogFormat { get; init; }

    /// <summary>Where the settings came from, for the start-up banner: flags, environment, config file, defaults.</summary>
    public string Sources { get; init; } = "defaults";

    /// <summary>Graceful shutdown limit.</summary>
    public required TimeSpan DrainTimeout { get; init; }

    /// <summary>How long a command waits for its shard.</summary>
    public required TimeSpan RequestTimeout { get; init; }

    /// <summary>Copies of each shard (<c>--replication-factor</c>); 1 means no replication.</summary>
    public int ReplicationFactor { get; init; } = 1;

    /// <summary>Copies that must hold a write before it is acknowledged (<c>--write-quorum</c>).</summary>
    public AegisKV.Replication.WriteQuorum WriteQuorum { get; init; } = AegisKV.Replication.WriteQuorum.Majority;

    /// <summary>How often a primary sends its followers what they lack (<c>aegis.replication.heartbeat</c>).</summary>
    public TimeSpan ReplicationHeartbeat { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The read lease (<c>aegis.replication.lease</c>).</summary>
    public TimeSpan ReplicationLease { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Entries a follower may lack and still count as in sync, so that a primary may move to it (<c>aegis.replication.in-sync-lag</c>).</summary>
    public int ReplicationInSyncLag { get; init; } = 1000;

    /// <summary>How long placement waits for members to say whether they are in sync (<c>aegis.replication.sync-timeout</c>).</summary>
    public TimeSpan ReplicationSyncTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a group member may be gone before its groups get a new member (<c>--replace-after</c>).</summary>
    public TimeSpan ReplaceAfter { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Most shards moving between nodes at once (<c>aegis.cluster.rebalance-limit</c>).</summary>
    public required int RebalanceLimit { get; init; }

    /// <summary>
    /// Largest request (the sum of its arguments) sent to a shard on another node (<c>aegis.cluster.max-message-size</c>);
    /// a larger one is refused with an error rather than sent, so one message cannot hold up the node-to-node connection.
    /// </summary>
    public required int MaxClusterMessageBytes { get; init; }

    /// <summary>Client connection limits.</summary>
    public required ClientLimits Clients { get; init; }

    /// <summary>Protocol limits.</summary>
    public required RespLimits Limits { get; init; }

    /// <summary>The whole merged configuration, handed to the actor system as well.</summary>
    public required Config Config { get; init; }

    /// <summary>The embedded node defaults.</summary>
    public static Config DefaultConfig() =>
        ConfigurationFactory.FromResource<NodeSettings>("AegisKV.Server.Configuration.reference.conf");

    /// <summary>Reads and validates the <c>aegis</c> section of <paramref name="config"/> (defaults as fallback).</summary>
    public static NodeSettings Create(Config config)
    {
        config = config.WithFallback(DefaultConfig());
        var bind = config.GetString("aegis.bind", "").Equals("none", StringComparison.OrdinalIgnoreCase) ? null : Endpoint(config, "bind");
        var tls = ClientTlsSettings.From(config, name => Duration(config, name));
        if (bind is null && tls is null) throw new SettingsException("bind", "'none' turns plain connections off, which needs a TLS listener: give --tls-cert, --tls-key and --tls-bind");
        var gossip = Endpoint(config, "gossip");
        var advertiseText = config.GetString("aegis.gossip-advertise", "");
        NodeEndpoint advertise;
        if (string.IsNullOrWhiteSpace(advertiseText))
            advertise = gossip.IsAnyAddress ? gossip with { Host = System.Net.Dns.GetHostName() } : gossip;
        else if (!NodeEndpoint.TryParse(advertiseText, out advertise) || advertise.IsAnyAddress)
            throw new SettingsException("gossip-advertise", $"expected host:port that other nodes can reach, got '{advertiseText}'");

        var nodeId = config.GetString("aegis.node-id", "");
        if (string.IsNullOrWhiteSpace(nodeId)) nodeId = System.Net.Dns.GetHostName();
        var replicationFactor = Integer(config, "replication-factor", 1, 9);
        var writeQuorum = ParseWriteQuorum(config.GetString("aegis.write-quorum", ""));
        // A fixed quorum larger than the group could never be met: every write would wait forever.
        if (writeQuorum != AegisKV.Replication.WriteQuorum.All && writeQuorum.Count > replicationFactor)
            throw new SettingsException("write-quorum", $"{writeQuorum} copies cannot be had with a replication factor of {replicationFactor}");
        // A replica-group member is named "node-id/store-id", and a group is its members joined by commas.
        if (replicationFactor > 1 && nodeId.IndexOfAny(['/', ',']) >= 0)
            throw new SettingsException("node-id", $"'{nodeId}' has a '/' or ',', which replica groups cannot tell apart from their own separators");
        if (replicationFactor > 1 && ParseWal(config.GetString("aegis.wal", "")) == WalMode.Off)
            throw new SettingsException("replication-factor", "replicated shards keep their log in the WAL: use --wal write or fsync");
        // It travels as a cluster member role, so it keeps to a host name's characters.
        if (!nodeId.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'))
            throw new SettingsException("node-id", $"may hold only letters, digits, '.', '-' and '_', got '{nodeId}'");

        var authToken = Secret(config, "auth-token", "token");
        var gossipSecret = Secret(config, "gossip-secret", "secret");
        return new NodeSettings
        {
            NodeId = nodeId,
            Bind = bind,
            Tls = tls,
            Gossip = gossip,
            GossipAdvertise = advertise,
            Health = Endpoint(config, "health"),
            Seeds = ParseSeeds(config.GetString("aegis.seeds", "")),
            Shards = Integer(config, "shards", 1, Core.ShardSettings.MaxShardCount),
            ReplicationFactor = replicationFactor,
            WriteQuorum = writeQuorum,
            ReplicationHeartbeat = Duration(config, "replication.heartbeat"),
            ReplicationLease = Duration(config, "replication.lease"),
            ReplicationInSyncLag = Integer(config, "replication.in-sync-lag", 0, int.MaxValue),
            ReplicationSyncTimeout = Duration(config, "replication.sync-timeout"),
            ReplaceAfter = Duration(config, "replace-after"),
            Wal = ParseWal(config.GetString("aegis.wal", "")),
            DataDirectory = NonEmpty(config, "data-dir"),
            MaxMemoryBytes = Integer(config, "max-memory", 0, 1 << 30) * 1024L * 1024L,
            EvictionPolicy = Eviction(config),
            EvictionSamples = Integer(config, "eviction-samples", 1, 64),
            NotifyKeyspaceEvents = KeyspaceEventFlags(config),
            ScriptTimeout = Duration(config, "script-timeout"),
            ScriptMaxMemory = Size(config, "script-max-memory", 1 << 20, 1L << 40),
            SlowlogThresholdMicros = Integer(config, "slowlog-log-slower-than", int.MinValue, int.MaxValue),
            SlowlogMaxLength = Integer(config, "slowlog-max-len", 0, 1_000_000),
            AuthToken = authToken.Length == 0 ? null : authToken,
            GossipSecret = gossipSecret.Length == 0 ? null : gossipSecret,
            GossipHandshakeTimeout = Duration(config, "cluster.handshake-timeout"),
            ClusterTls = ClusterTlsOf(config),
            AuthMaxFailures = Integer(config, "auth-max-failures", 1, 1_000_000),
            AuthFailureDelay = Duration(config, "auth-failure-delay"),
            LogLevel = OneOf(config, "log-level", "debug", "info", "warn", "error"),
            LogFormat = OneOf(config, "log-format", "text", "json"),
            DrainTimeout = Duration(config, "drain-timeout"),
            RequestTimeout = Duration(config, "request-timeout"),
            RebalanceLimit = Integer(config, "cluster.rebalance-limit", 1, 1024),
            MaxClusterMessageBytes = (int)Size(config, "cluster.max-message-size", 1 << 20, 1 << 30),
            Clients = new ClientLimits
            {
                MaxClients = Integer(config, "max-clients", 1, 1_000_000),
                IdleTimeout = Seconds(config, "timeout"),
                // A client's requests and replies are each buffered in one array.
                MaxQueryBuffer = Size(config, "limits.max-query-buffer", 1024, Array.MaxLength - 1024),
                MaxBufferedRequests = Size(config, "limits.max-buffered-requests", 1024, long.MaxValue),
                MaxOutputBuffer = Size(config, "limits.max-output-buffer", 1024, Array.MaxLength - 1024),
            },
            Limits = new RespLimits
            {
                // A request is buffered whole in one array, so a bulk string must fit in one.
                MaxBulkLength = Size(config, "limits.max-bulk-length", 1, Array.MaxLength - 1024),
                MaxInlineLength = (int)Size(config, "limits.max-inline-length", 1, 1 << 30),
                MaxArrayLength = (int)Size(config, "limits.max-array-length", 1, 1 << 30),
            },
            Config = config,
        };
    }

    private static NodeEndpoint Endpoint(Config config, string name)
    {
        var text = config.GetString("aegis." + name, "");
        if (!NodeEndpoint.TryParse(text, out var endpoint))
            throw new SettingsException(name, $"expected host:port or :port, got '{text}'");
        return endpoint;
    }

    private static IReadOnlyList<NodeEndpoint> ParseSeeds(string text)
    {
        var seeds = new List<NodeEndpoint>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!NodeEndpoint.TryParse(part, out var seed) || seed.IsAnyAddress || seed.Port == 0)
                throw new SettingsException("seeds", $"expected comma-separated host:port gossip addresses, got '{part}'");
            seeds.Add(seed);
        }

        return seeds;
    }

    private static AegisKV.Replication.WriteQuorum ParseWriteQuorum(string text) => text.ToLowerInvariant() switch
    {
        "majority" => AegisKV.Replication.WriteQuorum.Majority,
        "all" => AegisKV.Replication.WriteQuorum.All,
        _ when int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count is >= 1 and <= 9 =>
            AegisKV.Replication.WriteQuorum.Of(count),
        _ => throw new SettingsException("write-quorum", $"expected majority, all or a number from 1 to 9, got '{text}'"),
    };

    private static WalMode ParseWal(string text) => text.ToLowerInvariant() switch
    {
        "off" => WalMode.Off,
        "write" => WalMode.Write,
        "fsync" => WalMode.Fsync,
        _ => throw new SettingsException("wal", $"expected off, write or fsync, got '{text}'"),
    };

    // All three or none: a node-to-node certificate checked against anything but the cluster's own CA admits anyone.
    private static (string, string, string)? ClusterTlsOf(Config config)
    {
        var cert = config.GetString("aegis.cluster-tls-cert", "");
        var key = config.GetString("aegis.cluster-tls-key", "");
        var ca = config.GetString("aegis.cluster-tls-ca", "");
        if (cert.Length == 0 && key.Length == 0 && ca.Length == 0) return null;
        if (cert.Length == 0) throw new SettingsException("cluster-tls-cert", "node-to-node TLS needs this node's certificate: give --cluster-tls-cert");
        if (key.Length == 0) throw new SettingsException("cluster-tls-key", "--cluster-tls-cert needs its private key: give --cluster-tls-key");
        if (ca.Length == 0) throw new SettingsException("cluster-tls-ca", "give the CA that signs the cluster's node certificates: only nodes it signed are let in");
        return (cert, key, ca);
    }

    // A secret from --NAME, or from the file --NAME-file names (which keeps it out of ps and shell history); empty for none.
    private static string Secret(Config config, string name, string what)
    {
        var secret = config.GetString("aegis." + name, "");
        var file = config.GetString($"aegis.{name}-file", "");
        if (file.Length == 0) return secret;
        if (secret.Length > 0) throw new SettingsException(name + "-file", $"give the {what} once: --{name} or --{name}-file, not both");
        try
        {
            secret = File.ReadAllText(file).TrimEnd('\r', '\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SettingsException(name + "-file", $"cannot read '{file}': {e.Message}");
        }

        return secret.Length > 0 ? secret : throw new SettingsException(name + "-file", $"'{file}' is empty");
    }

    private static int Integer(Config config, string name, int min, int max)
    {
        var text = config.GetString("aegis." + name, "");
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw new SettingsException(name, $"expected a whole number from {min} to {max}, got '{text}'");
        return value;
    }

    private static string NonEmpty(Config config, string name)
    {
        var text = config.GetString("aegis." + name, "");
        if (string.IsNullOrWhiteSpace(text)) throw new SettingsException(name, "must not be empty");
        return text;
    }

    private static Core.State.EvictionPolicy Eviction(Config config)
    {
        Core.State.EvictionPolicies.TryParse(OneOf(config, "eviction-policy", [.. Core.State.EvictionPolicies.All]), out var policy);
        return policy;
    }

    private static int KeyspaceEventFlags(Config config)
    {
        var text = config.GetString("aegis.notify-keyspace-events", "");
        if (!Core.State.KeyspaceEvents.TryParse(text, out var flags)) throw new SettingsException("notify-keyspace-events", $"unknown letter in '{text}'");
        return flags;
    }

    private static string OneOf(Config config, string name, params string[] allowed)
    {
        var text = config.GetString("aegis." + name, "").ToLowerInvariant();
        if (Array.IndexOf(allowed, text) < 0)
            throw new SettingsException(name, $"expected {string.Join(", ", allowed)}, got '{text}'");
        return text;
    }

    // Settings without a flag of their own are named by their HOCON path, under --config.
    private static long Size(Config config, string name, long min, long max)
    {
        long? value;
        try
        {
            value = config.GetByteSize("aegis." + name);
        }
        catch (Exception)
        {
            value = null;
        }

        if (value is not { } size || size < min || size > max)
            throw new SettingsException("config", $"aegis.{name} must be a size from {min} to {max} bytes, got '{config.GetString("aegis." + name, "")}'");
        return size;
    }

    // Whole seconds, as Redis's timeout; 0 turns it off.
    private static TimeSpan Seconds(Config config, string name)
    {
        var text = config.GetString("aegis." + name, "");
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            throw new SettingsException(name, $"expected whole seconds (0 is off), got '{text}'");
        return TimeSpan.FromSeconds(seconds);
    }

    private static TimeSpan Duration(Config config, string name)
    {
        var text = config.GetString("aegis." + name, "");
        TimeSpan value;
        try
        {
            // Accept HOCON durations (30s, 500ms, 1m) and plain seconds.
            value = int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                ? TimeSpan.FromSeconds(seconds)
                : config.GetTimeSpan("aegis." + name);
        }
        catch (Exception)
        {
            throw new SettingsException(name, $"expected a duration such as 30s or 500ms, got '{text}'");
        }

        if (value <= TimeSpan.Zero) throw new SettingsException(name, $"must be positive, got '{text}'");
        return value;
    }
}
