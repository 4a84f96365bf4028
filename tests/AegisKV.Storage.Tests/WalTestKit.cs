using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Xunit.Abstractions;

namespace AegisKV.Storage.Tests;

/// <summary>
/// TestKit whose system uses the WAL journal and snapshot store in a fresh temporary data directory.
/// <see cref="TestKitBase.Sys"/> is the first incarnation of the node; <see cref="RestartAsync"/> terminates
/// a node and starts a new actor system on the same directory.
/// </summary>
public abstract class WalTestKit : Akka.TestKit.Xunit2.TestKit
{
    protected static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private readonly List<ActorSystem> _nodes = [];
    private int _incarnation;

    protected WalTestKit(ITestOutputHelper output, string hocon = "")
        : this(NewDataDirectory(), output, hocon)
    {
    }

    private WalTestKit(string dataDirectory, ITestOutputHelper output, string hocon)
        : base(BuildConfig(dataDirectory, hocon), "wal-test", output)
    {
        DataDirectory = dataDirectory;
        NodeConfig = Sys.Settings.Config;
    }

    protected string DataDirectory { get; }

    protected string WalDirectory => Path.Combine(DataDirectory, "wal");

    protected string SnapshotDirectory => Path.Combine(DataDirectory, "snapshots");

    protected Config NodeConfig { get; }

    public static Config BuildConfig(string dataDirectory, string hocon)
    {
        var wal = Path.Combine(dataDirectory, "wal").Replace("\\", "\\\\", StringComparison.Ordinal);
        var snapshots = Path.Combine(dataDirectory, "snapshots").Replace("\\", "\\\\", StringComparison.Ordinal);
        return ConfigurationFactory.ParseString(hocon)
            .WithFallback(ConfigurationFactory.ParseString($$"""
                akka.loglevel = INFO
                akka.persistence.journal.plugin = "akka.persistence.journal.aegis-wal"
                akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.aegis-wal"
                akka.persistence.journal.aegis-wal.dir = "{{wal}}"
                akka.persistence.snapshot-store.aegis-wal.dir = "{{snapshots}}"
                """))
            .WithFallback(WalStorage.DefaultConfig());
    }

    /// <summary>
    /// Terminates <paramref name="node"/> (flushing and closing the WAL) and starts a new system on the same directory,
    /// its journal counting on <paramref name="metrics"/> when given.
    /// </summary>
    protected async Task<ActorSystem> RestartAsync(ActorSystem node, WalMetrics? metrics = null)
    {
        await StopAsync(node);
        var setup = Akka.Actor.BootstrapSetup.Create().WithConfig(NodeConfig);
        var next = metrics is null
            ? ActorSystem.Create($"wal-test-{++_incarnation}", setup)
            : ActorSystem.Create($"wal-test-{++_incarnation}", setup.And(new WalMetricsSetup(metrics)));
        _nodes.Add(next);
        return next;
    }

    protected static async Task StopAsync(ActorSystem node)
    {
        var terminated = node.Terminate();
        Assert.Same(terminated, await Task.WhenAny(terminated, Task.Delay(Timeout)));
    }

    protected static IActorRef Journal(ActorSystem node) => Persistence.Instance.Apply(node).JournalFor(null);

    protected static Task<WalStats> StatsAsync(ActorSystem node) => Journal(node).Ask<WalStats>(GetWalStats.Instance, Timeout);

    protected static async Task<long> AppendAsync(IActorRef actor, string value)
        => (await actor.Ask<EventLogActor.Appended>(new EventLogActor.Append(value), Timeout)).SequenceNr;

    protected static async Task AppendManyAsync(IActorRef actor, string prefix, int count)
    {
        for (var i = 1; i <= count; i++)
            await AppendAsync(actor, $"{prefix}-{i}");
    }

    protected static Task<EventLogActor.Events> EventsAsync(IActorRef actor) => actor.Ask<EventLogActor.Events>(EventLogActor.GetEvents.Instance, Timeout);

    /// <summary>Starts the actor and returns it with what it reported: Recovered or RecoveryFailed.</summary>
    protected async Task<(IActorRef Actor, object Outcome)> StartAndRecoverAsync(ActorSystem node, string persistenceId)
    {
        var probe = CreateTestProbe(node);
        var actor = node.ActorOf(EventLogActor.Props(persistenceId, probe.Ref));
        var outcome = await probe.ExpectMsgAsync<object>(m => m is EventLogActor.Recovered or EventLogActor.RecoveryFailed, Timeout);
        return (actor, outcome);
    }

    /// <summary>Starts the actor and asserts that it recovered.</summary>
    protected async Task<(IActorRef Actor, EventLogActor.Recovered Recovery)> StartAsync(ActorSystem node, string persistenceId)
    {
        var (actor, outcome) = await StartAndRecoverAsync(node, persistenceId);
        return (actor, Assert.IsType<EventLogActor.Recovered>(outcome));
    }

    protected string[] Segments()
    {
        if (!Directory.Exists(WalDirectory))
            return [];
        var files = Directory.GetFiles(WalDirectory, "*.wal");
        Array.Sort(files, StringComparer.Ordinal);
        return files;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing)
            return;
        foreach (var node in _nodes)
            node.Terminate().Wait(Timeout);
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private static string NewDataDirectory() => Path.Combine(Path.GetTempPath(), "aegis-storage-tests", Guid.NewGuid().ToString("N"));
}
