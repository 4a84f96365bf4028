using System.Net;
using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Akka.Remote.Hosting;
using AegisKV.Cluster;
using AegisKV.Cluster.Custody;
using AegisKV.Cluster.Placement;
using AegisKV.Cluster.Security;
using AegisKV.Core;
using AegisKV.Core.Sharding;
using AegisKV.Core.State;
using AegisKV.Server.Configuration;
using AegisKV.Server.Health;
using AegisKV.Server.Metrics;
using AegisKV.Server.Network.Tls;
using AegisKV.Server.Resp;
using AegisKV.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace AegisKV.Server.Hosting;

/// <summary>
/// One AegisKV node: the actor system with cluster, sharding and the WAL, the RESP listener and
/// the HTTP endpoints, on the .NET generic host. Tests start nodes in-process with it; the
/// <c>aegis</c> executable runs one until SIGTERM.
/// </summary>
public sealed class AegisNode : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly DataDirectoryLock _dataLock;
    private readonly NodeService _service;
    private bool _started;

    private AegisNode(WebApplication app, NodeSettings settings, DataDirectoryLock dataLock)
    {
        _app = app;
        _dataLock = dataLock;
        // Taken now: the exit code is read after the host has stopped and disposed its services.
        _service = app.Services.GetRequiredService<NodeService>();
        Settings = settings;
    }

    /// <summary>The settings the node runs with.</summary>
    public NodeSettings Settings { get; }

    /// <summary>The node's actor system (available once started).</summary>
    public ActorSystem System => _app.Services.GetRequiredService<ActorSystem>();

    /// <summary>Becomes ready when every shard has recovered.</summary>
    public NodeReadiness Readiness => _app.Services.GetRequiredService<NodeReadiness>();

    /// <summary>The bound RESP port (useful when the setting was port 0).</summary>
    public int ClientPort => _service.ClientPort;

    /// <summary>The bound TLS client port; 0 without TLS.</summary>
    public int TlsPort => _service.TlsPort;

    /// <summary>The bound HTTP port.</summary>
    public int HealthPort
    {
        get
        {
            var addresses = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
            return new Uri(addresses.First()).Port;
        }
    }

    /// <summary>Builds a node and locks its data directory; nothing runs until <see cref="StartAsync"/>.</summary>
    /// <exception cref="StartupException">A listen port is taken, or the data directory cannot be used or holds keys laid out for another node.</exception>
    public static AegisNode Create(NodeSettings settings, Action<ILoggingBuilder>? configureLogging = null)
    {
        PortCheck.EnsureFree(settings);
        // Before anything is written: a certificate that cannot be served is a bad setting, like a bad flag.
        var certificate = settings.Tls is null ? null : ServerCertificate.Load(settings.Tls);
        if (settings.ClusterTls is var (clusterCertificate, clusterKey, clusterCa)) ClusterTlsSetup(clusterCertificate, clusterKey, clusterCa, null);
        // Other nodes tell clients where this one serves: a port left to the OS is chosen now, before the cluster hears of it.
        var reservation = ClientPortReservation.For(settings);
        if (reservation.Port is { } port) settings = settings with { Bind = settings.Bind! with { Port = port } };
        if (reservation.TlsPort is { } tlsPort) settings = settings with { Tls = settings.Tls! with { Bind = settings.Tls.Bind with { Port = tlsPort } } };
        DataDirectoryLock? dataLock = null;
        try
        {
            dataLock = DataDirectoryLock.Acquire(settings.DataDirectory, writesFiles: settings.Wal != WalMode.Off);
            var keyspace = KeyspaceStartup.Check(settings);
            var custody = LoadCustody(settings);
            return Build(WithLastMembersAsSeeds(settings, custody.View.Current.Members), configureLogging, dataLock, keyspace, custody, reservation, certificate);
        }
        catch
        {
            dataLock?.Dispose();
            reservation.Dispose();
            throw;
        }
    }

    private static (CustodyStore Store, CustodyView View) LoadCustody(NodeSettings settings)
    {
        var store = new CustodyStore(settings.Wal == WalMode.Off ? null : settings.DataDirectory);
        CustodyState saved;
        try
        {
            saved = store.Load();
        }
        catch (InvalidDataException e)
        {
            throw new StartupException(e.Message);
        }

        var owned = saved.OwnedBy(settings.NodeId)
                    ?? throw new SettingsException("node-id", $"{settings.DataDirectory} holds the data of node {saved.Owner}, a member of a cluster "
                                                   + $"({saved.Members}); start it with --node-id {saved.Owner}, or give this node an empty --data-dir");
        return (store, new CustodyView(owned));
    }

    // A member of a cluster started without --seeds rejoins its cluster through the members it last knew, itself
    // first: Akka's first seed forms a new cluster only when none of the others answers (a full stop, started first).
    private static NodeSettings WithLastMembersAsSeeds(NodeSettings settings, Membership members)
    {
        if (settings.Seeds.Count > 0 || settings.Gossip.Port == 0) return settings;
        var others = members.Members.Where(m => m != settings.NodeId && members.AddressOf(m).Length > 0)
            .Select(m => Akka.Actor.Address.Parse(members.AddressOf(m)))
            .Select(a => new NodeEndpoint(a.Host!, a.Port!.Value)).ToList();
        if (others.Count == 0) return settings;
        var self = new NodeEndpoint(settings.GossipAdvertise.Host, settings.GossipAdvertise.Port == 0 ? settings.Gossip.Port : settings.GossipAdvertise.Port);
        return settings with { Seeds = [self, .. others], SeedsFromLastMembers = true };
    }

    private static AegisNode Build(NodeSettings settings, Action<ILoggingBuilder>? configureLogging, DataDirectoryLock dataLock, KeyspaceStartup keyspace,
        (CustodyStore Store, CustodyView View) custody, ClientPortReservation reservation, ServerCertificate? certificate)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = settings.DrainTimeout + TimeSpan.FromSeconds(15));
        ConfigureLogging(builder.Logging, settings, configureLogging);
        builder.WebHost.ConfigureKestrel(kestrel => HealthListener.Listen(kestrel, settings.Health, certificate));

        // --shards wins over aegis.shard.count; the other aegis.shard settings come from the file.
        var shardSettings = ShardSettings.Create(Akka.Configuration.ConfigurationFactory
            .ParseString($"aegis.shard.count = {settings.Shards}").WithFallback(settings.Config));
        var memory = new NodeMemory(settings.MaxMemoryBytes, settings.EvictionPolicy) { Samples = settings.EvictionSamples };
        var localShards = new LocalShards();
        var notifications = new KeyspaceEvents { Flags = settings.NotifyKeyspaceEvents };
        var scripts = new AegisKV.Scripting.LuaScriptEngine(settings.ScriptTimeout, settings.ScriptMaxMemory);
        var storeId = ReplicationStartup.StoreId(settings);
        var replication = new AegisKV.Core.Replication.ReplicationStatus();
        var walHealth = new WalHealthCheck(settings);
        LivenessProbe? liveness = null;
        builder.Services.AddSingleton(settings);
        // Made by a factory so that the container disposes it (a reservation the listener never took is released).
        builder.Services.AddSingleton(_ => reservation);
        if (certificate is not null) builder.Services.AddSingleton(_ => certificate);
        builder.Services.AddSingleton(shardSettings);
        builder.Services.AddSingleton(keyspace);
        builder.Services.AddSingleton(memory);
        builder.Services.AddSingleton(notifications);
        builder.Services.AddSingleton(scripts);
        builder.Services.AddSingleton(localShards);
        builder.Services.AddSingleton(replication);
        builder.Services.AddSingleton(custody.View);
        builder.Services.AddSingleton(new NodeStatistics());
        builder.Services.AddSingleton(sp => new NodeMetrics(sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()));
        builder.Services.AddSingleton(sp => new ServerMetrics(sp.GetRequiredService<NodeMetrics>().Factory,
            new SlowLog(settings.SlowlogThresholdMicros, settings.SlowlogMaxLength)));
        builder.Services.AddSingleton(new NodeReadiness(settings.Shards));
        builder.Services.AddHealthChecks();
        // Registered before the actor system, so it stops after it: by then the journal has flushed and closed the WAL.
        builder.Services.AddHostedService(sp => new StoppedNotice(settings, sp.GetRequiredService<ILogger<AegisNode>>()));

        builder.Services.AddAkka(AkkaConfiguration.SystemName, (akka, services) =>
        {
            var metrics = services.GetRequiredService<NodeMetrics>();
            akka.AddSetup(new WalMetricsSetup(metrics.Wal));
            if (settings.ClusterTls is var (clusterCertificate, clusterKey, clusterCa))
            {
                akka.AddSetup(ClusterTlsSetup(clusterCertificate, clusterKey, clusterCa, metrics.Cluster));
                akka.AddHocon(ClusterTls.Hocon, HoconAddMode.Prepend);
            }

            if (settings.GossipSecret is { } secret)
            {
                akka.AddSetup(new GossipSecretSetup(secret, settings.GossipHandshakeTimeout, metrics.Cluster));
                akka.AddHocon(GossipSecretSetup.Hocon, HoconAddMode.Prepend);
            }
            akka.AddHocon(AkkaConfiguration.Render(settings), HoconAddMode.Prepend)
                .AddHocon(settings.Config, HoconAddMode.Append)
                .AddHocon(AkkaConfiguration.Defaults(), HoconAddMode.Append)
                .AddHocon(ShardSettings.DefaultConfig(), HoconAddMode.Append)
                .AddHocon(ClusterCustody.DefaultConfig(), HoconAddMode.Append)
                .AddHocon(WalStorage.DefaultConfig(), HoconAddMode.Append)
                .ConfigureLoggers(loggers =>
                {
                    // AegisKV's own actors log at info; Akka's internals are filtered by category below.
                    loggers.LogLevel = settings.LogLevel switch
                    {
                        "debug" => Akka.Event.LogLevel.DebugLevel,
                        "warn" => Akka.Event.LogLevel.WarningLevel,
                        "error" => Akka.Event.LogLevel.ErrorLevel,
                        _ => Akka.Event.LogLevel.InfoLevel,
                    };
                    loggers.ClearLoggers();
                    loggers.AddLogger<AkkaLogBridge>();
                })
                .WithRemoting(new RemoteOptions
                {
                    HostName = settings.Gossip.Host,
                    Port = settings.Gossip.Port,
                    PublicHostName = settings.GossipAdvertise.Host,
                    PublicPort = settings.GossipAdvertise.Port == 0 ? null : settings.GossipAdvertise.Port,
                })
                .WithClustering(new ClusterOptions
                {
                    // Node id and shard count ride on roles: placement ranks nodes by the id, not their per-start
                    // address, and a node whose shard count differs from the cluster's is refused. So does where clients
                    // reach it (the bound address, or the advertised gossip host when bound to every interface).
                    Roles = [AkkaConfiguration.DataRole, ClusterRoles.NodeId(settings.NodeId), ClusterRoles.Shards(settings.Shards),
                        ClusterRoles.ReplicationFactor(settings.ReplicationFactor),
                        .. ClientRoles(settings),
                        .. storeId is null ? Array.Empty<string>() : [ClusterRoles.StoreId(storeId), ClusterRoles.ReplicaBatches]],
                    SeedNodes = [.. settings.Seeds.Select(s => AkkaConfiguration.Address(s.Host, s.Port, settings.ClusterTls is not null))],
                })
                .WithActors((system, registry) =>
                {
                    // The WAL opens (scanning its segments) while the cluster forms, not when the first shard recovers.
                    var persistence = Akka.Persistence.Persistence.Instance.Apply(system);
                    persistence.JournalFor(shardSettings.JournalPluginId);
                    persistence.SnapshotStoreFor(shardSettings.SnapshotPluginId);
                    var cluster = Akka.Cluster.Cluster.Get(system);
                    // No seeds: this node forms a new cluster by joining itself.
                    if (settings.Seeds.Count == 0) cluster.Join(cluster.SelfAddress);
                    system.ActorOf(Props.Create<ClusterEventLogger>(), "cluster-events");
                    // Custody before sharding: a shard asks it before it serves.
                    system.ActorOf(CustodyReplica.Props(settings.NodeId, custody.Store, custody.View), CustodyReplica.Name);
                    var shardCustody = new ClusterCustody(system, settings.NodeId, settings.Shards, custody.View, TimeSpan.FromSeconds(5), settings.ReplicationFactor);
                    system.ActorOf(MembershipKeeper.Props(custody.View, settings.Shards, shardCustody), "custody-members");
                    system.ActorOf(HandoffReceiver.Props(shardSettings, localShards), ClusterCustody.HandoffReceiverName);
                    var (replicas, replicaHost) = ReplicationStartup.Start(system, settings, storeId, shardSettings, shardCustody, replication, memory);
                    var peers = new ShardPeers(shardCustody) { Replication = replicas, ReplicaHost = replicaHost };
                    var sharding = ClusterSharding.Get(system);
                    var shardingSettings = ClusterShardingSettings.Create(system);
                    var region = sharding.Start(
                        "aegis-shard",
                        entityId => ShardActor.Props(entityId, shardSettings, memory, localShards, peers, metrics.Core, notifications, scripts),
                        shardingSettings,
                        new ShardMessageExtractor(settings.Shards),
                        new RendezvousAllocationStrategy(settings.Shards, settings.RebalanceLimit, custody.View.HolderOf, metrics.Cluster,
                            settings.ReplicationFactor > 1 ? settings.ReplicationSyncTimeout : TimeSpan.Zero, settings.ReplicationInSyncLag),
                        StopShard.Instance);
                    peers.Region = region;
                    registry.Register<ShardRegionKey>(region);
                    system.ActorOf(Props.Create(() => new DeadLetterRerouter(region)), "shard-dead-letters");
                    liveness = new LivenessProbe(system);
                    system.RegisterOnTermination(liveness.Dispose);
                })
                .WithActorSystemLivenessCheck(tags: [HealthTags.Live, HealthTags.Health])
                .WithHealthCheck("serving", (_, _, _) => Task.FromResult(liveness?.Check() ?? Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy("starting")), tags: [HealthTags.Live, HealthTags.Health])
                .WithAkkaClusterReadinessCheck(tags: [HealthTags.Ready, HealthTags.Health])
                .WithHealthCheck("shards-recovered", (_, _, _) => Task.FromResult(NodeHealthChecks.ShardsRecovered(services.GetRequiredService<NodeReadiness>(), localShards, CoordinatedShutdown.Get(services.GetRequiredService<ActorSystem>()).ShutdownReason is not null)), tags: [HealthTags.Ready])
                .WithHealthCheck("wal-writable", (system, _, cancellationToken) => walHealth.CheckAsync(system, cancellationToken), tags: [HealthTags.Ready, HealthTags.Health]);
        });
        builder.Services.AddSingleton<NodeService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<NodeService>());

        var app = builder.Build();
        HealthEndpoints.Map(app);
        Admin.AdminEndpoints.Map(app);
        Monitoring.DashboardEndpoints.Map(app);
        return new AegisNode(app, settings, dataLock);
    }

    /// <summary>Starts the node: actor system, shard recovery, RESP listener, HTTP.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        _started = true;
        return _app.StartAsync(cancellationToken);
    }

    /// <summary>Stops gracefully: stop accepting, drain, hand off shards, leave, flush the WAL.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (!_started) return;
        _started = false;
        await _app.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// For the <c>aegis</c> process only: once a stop begins, the process exits (code 1) if it has not
    /// ended within the drain timeout plus a margin, whatever holds it up.
    /// </summary>
    public void ArmShutdownWatchdog()
    {
        var limit = Settings.DrainTimeout + TimeSpan.FromSeconds(20);
        _app.Lifetime.ApplicationStopping.Register(() => new Thread(() =>
        {
            Thread.Sleep(limit);
            Console.Error.WriteLine($"aegis: did not stop within {limit.TotalSeconds:F0} s of being asked to; exiting");
            Environment.Exit(1);
        }) { IsBackground = true, Name = "aegis-shutdown-watchdog" }.Start());
    }

    /// <summary>Runs until the process is asked to stop (SIGTERM, Ctrl+C) or the actor system ends.</summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        _started = true;
        await _app.RunAsync(cancellationToken).ConfigureAwait(false);
        _started = false;
    }

    /// <summary>The exit code the process should end with once <see cref="RunAsync"/> returns.</summary>
    public int ExitCode => _service.ExitCode;

    /// <summary>Waits until every shard has recovered.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        var ready = Readiness.WhenReady;
        if (await Task.WhenAny(ready, Task.Delay(timeout)).ConfigureAwait(false) != ready)
            throw new TimeoutException($"node {Settings.NodeId} was not ready within {timeout}");
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync().ConfigureAwait(false);
        }
        finally
        {
            await _app.DisposeAsync().ConfigureAwait(false);
            _dataLock.Dispose();
        }
    }

    private static Akka.Remote.Transport.DotNetty.DotNettySslSetup ClusterTlsSetup(string certificate, string key, string ca, ClusterMetrics? metrics)
    {
        try
        {
            return ClusterTls.Setup(certificate, key, ca, _ => metrics?.GossipRefusals.Add(1));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or global::System.Security.Cryptography.CryptographicException)
        {
            throw new SettingsException("cluster-tls-cert", $"cannot use '{certificate}', '{key}' and '{ca}': {e.Message}");
        }
    }

    // Where clients reach the node, plain and TLS: the bound address, or the advertised gossip host when bound to every interface.
    private static IEnumerable<string> ClientRoles(NodeSettings settings)
    {
        string Host(NodeEndpoint bind) => bind.IsAnyAddress ? settings.GossipAdvertise.Host : bind.Host;
        if (settings.Bind is { } plain) yield return ClusterRoles.ClientEndpoint(Host(plain), plain.Port);
        if (settings.Tls?.Bind is { } tls) yield return ClusterRoles.TlsClientEndpoint(Host(tls), tls.Port);
    }

    private static void ConfigureLogging(ILoggingBuilder logging, NodeSettings settings, Action<ILoggingBuilder>? configure)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(settings.LogLevel switch
        {
            "debug" => LogLevel.Debug,
            "warn" => LogLevel.Warning,
            "error" => LogLevel.Error,
            _ => LogLevel.Information,
        });
        // Framework chatter is not what operators of a key-value store need to read: Akka.NET's
        // internals (remoting, cluster, sharding start-up) show from warnings unless asked for.
        logging.AddFilter("Microsoft", LogLevel.Warning);
        logging.AddFilter("Akka", settings.LogLevel == "debug" ? LogLevel.Debug : LogLevel.Warning);
        logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        // /ready answers 503 while shards recover; that is not an error worth a log line per probe.
        logging.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.Critical);
        logging.AddConsole(o =>
            {
                o.FormatterName = NodeConsoleFormatter.FormatterName;
                o.LogToStandardErrorThreshold = LogLevel.None;
            })
            .AddConsoleFormatter<NodeConsoleFormatter, NodeConsoleFormatterOptions>(o =>
            {
                o.NodeId = settings.NodeId;
                o.Json = settings.LogFormat == "json";
            });
        configure?.Invoke(logging);
    }
}
