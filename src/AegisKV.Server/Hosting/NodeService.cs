using System.Diagnostics;
using Akka;
using Akka.Actor;
using Akka.Hosting;
using AegisKV.Core.Sharding;
using AegisKV.Server.Configuration;
using AegisKV.Server.Metrics;
using AegisKV.Server.Network.Tls;
using AegisKV.Server.Resp;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AegisKV.Server.Hosting;

/// <summary>
/// Starts after the actor system and stops before it: opens the RESP listener, recovers the
/// shards, and on shutdown stops accepting and drains connections before the actor system
/// hands off shards and leaves the cluster.
/// </summary>
internal sealed class NodeService : IHostedService
{
    private readonly NodeSettings _settings;
    private readonly IServiceProvider _services;
    private readonly NodeReadiness _readiness;
    private readonly ILoggerFactory _logging;
    private readonly ILogger<NodeService> _log;
    private readonly CancellationTokenSource _stopping = new();
    private ActorRegistry? _registry;
    private RespServer? _server;
    private NodeContext? _node;

    public NodeService(NodeSettings settings, IServiceProvider services, NodeReadiness readiness, ILoggerFactory logging)
    {
        _settings = settings;
        _services = services;
        _readiness = readiness;
        _logging = logging;
        _log = logging.CreateLogger<NodeService>();
    }

    /// <summary>The process exit code: 0, or why the node stopped by itself (refused by its cluster).</summary>
    public int ExitCode { get; private set; }

    /// <summary>The cluster view of this node, once started.</summary>
    public Topology.ClusterTopology? Topology => _node?.Topology;

    /// <summary>The cluster's figures as the dashboard shows them, once started.</summary>
    public Monitoring.ClusterOverview? Overview { get; private set; }

    /// <summary>What the node's connections share, once started.</summary>
    public NodeContext? Context => _node;

    /// <summary>The bound RESP port, once started.</summary>
    public int ClientPort => _node?.ClientPort ?? 0;

    /// <summary>The bound TLS client port; 0 without TLS.</summary>
    public int TlsPort => _node?.TlsPort ?? 0;

    // The actor system and the shard region exist only once Akka's hosted service has started,
    // so everything that needs them is built here rather than by the container.
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _registry = _services.GetRequiredService<ActorRegistry>();
        var system = _services.GetRequiredService<ActorSystem>();
        var region = await _registry.GetAsync<ShardRegionKey>(cancellationToken).ConfigureAwait(false);
        // Before anything is served or recovered through sharding: the shards are started here on their own.
        await _services.GetRequiredService<KeyspaceStartup>().RehomeAsync(
            system, _services.GetRequiredService<AegisKV.Core.ShardSettings>(), _settings, _log, cancellationToken).ConfigureAwait(false);
        _node = new NodeContext(
            _settings,
            new CommandRouter(_settings.Shards),
            _services.GetRequiredService<NodeStatistics>(),
            _services.GetRequiredService<AegisKV.Core.State.NodeMemory>(),
            _services.GetRequiredService<ServerMetrics>(),
            region,
            _services.GetRequiredService<AegisKV.Core.Sharding.LocalShards>())
        {
            Replication = _services.GetRequiredService<AegisKV.Core.Replication.ReplicationStatus>(),
            Log = _logging.CreateLogger("AegisKV.Server.Resp.ClientSession"),
            Notifications = _services.GetRequiredService<AegisKV.Core.State.KeyspaceEvents>(),
            ScriptMonitor = _services.GetRequiredService<AegisKV.Scripting.LuaScriptEngine>().Monitor,
            Topology = new Topology.ClusterTopology(system, region, _settings.Shards, _services.GetRequiredService<AegisKV.Cluster.Custody.CustodyView>(), _settings.Seeds.Count > 0),
        };
        var hub = _node.PubSub;
        _node.Notifications.Publish = (channel, message) => hub.Publish(channel, message, sharded: false);
        system.ActorOf(AegisKV.Cluster.PubSub.PubSubRelay.Props(_settings.NodeId, hub.Deliver), AegisKV.Cluster.PubSub.PubSubRelay.Name);
        hub.Relay = (channel, message, sharded) =>
            AegisKV.Cluster.PubSub.PubSubRelay.Publish(system, new AegisKV.Cluster.PubSub.ChannelMessage(_settings.NodeId, channel, message, sharded));
        _ = new NodeGauges(_services.GetRequiredService<NodeMetrics>(), _node, _readiness, Akka.Cluster.Cluster.Get(system));
        var sampler = new NodeFiguresSampler(_node, _readiness, _services.GetRequiredService<NodeMetrics>().Wal);
        system.RegisterOnTermination(sampler.Dispose);
        system.ActorOf(Monitoring.FiguresResponder.Props(sampler), Monitoring.FiguresResponder.Name);
        Overview = new Monitoring.ClusterOverview(system, _node.Topology!, sampler);
        // Before the listener opens: a node joining a cluster holds key commands back until it is admitted.
        ClusterAdmission.Start(system, _settings, _node.Gate, Refused, _log, _stopping.Token);
        var reservation = _services.GetRequiredService<ClientPortReservation>();
        var certificate = _services.GetService<ServerCertificate>();
        certificate?.Watch(_logging.CreateLogger<ServerCertificate>(), _services.GetRequiredService<NodeMetrics>().Registry, _services.GetRequiredService<NodeMetrics>().Factory);
        _server = new RespServer(_node, system, _logging.CreateLogger<RespServer>(), reservation.Take(), certificate, reservation.TakeTls());
        await _server.StartAsync().ConfigureAwait(false);
        LogBanner();

        // SIGTERM runs Akka's coordinated shutdown: clients are drained in its first phases,
        // before sharding hands shards off and the node leaves the cluster.
        var shutdown = CoordinatedShutdown.Get(system);
        var server = _server;
        // Akka's own last words ("Remoting shut down") go to stdout in its own format; below warnings, keep them out.
        if (_settings.LogLevel != "debug")
        {
            shutdown.AddTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate, "quiet-akka", () =>
            {
                system.EventStream.SetLogLevel(Akka.Event.LogLevel.WarningLevel);
                return Task.FromResult(Done.Instance);
            });
        }

        shutdown.AddTask(CoordinatedShutdown.PhaseServiceUnbind, "unbind-resp", async () =>
        {
            await server.UnbindAsync().ConfigureAwait(false);
            return Done.Instance;
        });
        shutdown.AddTask(CoordinatedShutdown.PhaseServiceRequestsDone, "drain-resp", async () =>
        {
            await server.DrainAsync(_settings.DrainTimeout).ConfigureAwait(false);
            return Done.Instance;
        });
        _ = RecoverShardsAsync(region, _stopping.Token);
    }

    // The checklist's "strong auth token".
    private const int MinimumTokenLength = 32;

    // Everything an operator checks first, in one line; never a secret (AUTH is only on or off).
    private void LogBanner()
    {
        var s = _settings;
        var bind = s.Bind is null ? "none" : (s.Bind with { Port = ClientPort }).ToString();
        var tls = s.Tls is null ? "off" : $"{s.Tls.Bind with { Port = TlsPort }} (client certificates: {s.Tls.ClientAuth.ToString().ToLowerInvariant()})";
        _log.LogInformation(
            "AegisKV {Version} node {NodeId}: RESP {Bind}, TLS {Tls}, gossip {Gossip} (advertised {Advertised}), health {Health}, data {DataDirectory}, WAL {Wal}, {Shards} shards, max-memory {MaxMemory}, max-clients {MaxClients}, auth {Auth}, gossip secret {GossipSecret}, config from {Sources}",
            NodeContext.Version, s.NodeId, bind, tls, s.Gossip, s.GossipAdvertise, s.Health, Path.GetFullPath(s.DataDirectory), s.Wal.ToString().ToLowerInvariant(),
            s.Shards, s.MaxMemoryBytes == 0 ? "unlimited" : $"{s.MaxMemoryBytes >> 20} MB", s.Clients.MaxClients, s.AuthToken is null ? "off" : "on", s.GossipSecret is null ? "off" : "on", s.Sources);
        if (s.AuthToken is { Length: < MinimumTokenLength } token)
            _log.LogWarning("The AUTH token is {Length} characters long: use at least {Minimum} random ones (e.g. openssl rand -hex 32)", token.Length, MinimumTokenLength);
        if (s.GossipSecret is { Length: < MinimumTokenLength } secret)
            _log.LogWarning("The gossip secret is {Length} characters long: use at least {Minimum} random ones (e.g. openssl rand -hex 32)", secret.Length, MinimumTokenLength);
        if (s.SeedsFromLastMembers)
            _log.LogInformation("No --seeds: rejoining the cluster this node was a member of, through {Seeds} (this node first: it forms the cluster again only if none answers)", string.Join(", ", s.Seeds));
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_server is not null) await _server.DrainAsync(_settings.DrainTimeout).ConfigureAwait(false);
    }

    private void Refused(int exitCode)
    {
        ExitCode = exitCode;
        _services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
    }

    // Touch every shard so each recovers from its snapshot and WAL now, not on first use;
    // the node is ready once all have answered.
    private async Task RecoverShardsAsync(IActorRef region, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var pending = new List<int>(Enumerable.Range(0, _settings.Shards));
        long keys = 0;
        while (pending.Count > 0 && !cancellationToken.IsCancellationRequested)
        {
            // Asked again every few seconds rather than waited on: a shard still replaying answers the next ask, and one
            // whose ask the region dropped (it does so for a shard whose hand-off begins meanwhile) is asked afresh.
            var asks = pending.Select(shard => region.Ask<ShardRecovered>(new RecoverShard(shard), TimeSpan.FromSeconds(5), cancellationToken)).ToArray();
            try
            {
                await Task.WhenAll(asks).ConfigureAwait(false);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                // Some shards did not answer yet (cluster still forming): ask those again.
            }
            catch (Exception)
            {
                return;
            }

            var stillPending = new List<int>();
            var localShards = _services.GetRequiredService<LocalShards>();
            for (var i = 0; i < asks.Length; i++)
            {
                // A shard that refuses to serve (corrupt WAL) waits for an operator, not for retries.
                if (localShards.IsRefused(pending[i], out _))
                    continue;
                if (asks[i].IsCompletedSuccessfully)
                {
                    keys += asks[i].Result.Keys;
                    _readiness.ShardRecovered();
                }
                else
                {
                    stillPending.Add(pending[i]);
                }
            }

            pending = stillPending;
            if (pending.Count > 0)
            {
                _log.LogWarning("{Pending} shards have not recovered yet; retrying", pending.Count);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            }
        }

        if (pending.Count != 0) return;
        _ = KeepShardsRunningAsync(region, cancellationToken);
        var refused = _services.GetRequiredService<LocalShards>().Refused.Count;
        if (refused > 0)
            _log.LogError("Not ready: {Refused} of {Shards} shards refuse to serve (WAL corruption); the others serve {Keys} keys. Stop the node and run 'aegis wal repair'", refused, _settings.Shards, keys);
        else
            _log.LogInformation("Ready: {Shards} shards recovered with {Keys} keys in {Elapsed} ms", _settings.Shards, keys, clock.ElapsedMilliseconds);

        // Replay leaves a heap full of short-lived records; give that memory back once, now,
        // rather than carry it until the GC decides to.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }

    // Sharding starts a shard where it is sent something, and rebalances only shards that run. A shard should not wait
    // for a client's request to run again: with replicas, after its primary's node was lost (to choose another, and to
    // refill its group); with one copy, after a hand-off whose node was not the one placement then chose (a node just
    // joined that the old owner did not see up yet), so that rebalancing moves it on. Every shard is touched every few
    // seconds, with a request every mode answers at once (a shard still claiming stashes nothing for it).
    private async Task KeepShardsRunningAsync(IActorRef region, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(2));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
                for (var shard = 0; shard < _settings.Shards; shard++)
                    _ = region.Ask<ShardStats>(new GetShardStats(shard), TimeSpan.FromSeconds(5), cancellationToken)
                        .ContinueWith(static t => t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
        }
        catch (OperationCanceledException)
        {
            // The node is stopping.
        }
    }
}
