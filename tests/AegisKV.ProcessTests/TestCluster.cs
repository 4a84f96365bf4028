namespace AegisKV.ProcessTests;

/// <summary>
/// Real <c>aegis</c> processes forming one cluster on loopback: each node keeps its id, ports and data directory
/// across restarts, every node lists the first three nodes' gossip addresses as seeds (the first forms the cluster)
/// or, as in the production checklist, the first node has none and the others name it; the cluster's timing is
/// shortened so that failures are detected within seconds.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    // Failure detection and the Split Brain Resolver in seconds, not the production tens of seconds.
    private const string FastTiming = """
        akka.cluster.split-brain-resolver.stable-after = 3s
        akka.cluster.down-removal-margin = 1s
        akka.cluster.failure-detector.heartbeat-interval = 500ms
        akka.cluster.failure-detector.acceptable-heartbeat-pause = 3s
        akka.cluster.seed-node-timeout = 2s
        akka.cluster.sharding.rebalance-interval = 1s
        aegis.cluster.rebalance-limit = 8
        """;

    private readonly TempDirectory _directory = new();
    private readonly List<Slot> _slots = [];
    private readonly string _config;
    private readonly bool _firstHasNoSeeds;
    private readonly string[] _flags;
    private readonly Chaos.NetworkNamespaces? _network;

    /// <summary>A cluster of <paramref name="size"/> node slots, each started with <paramref name="flags"/> too; none runs until started.</summary>
    public TestCluster(int size, bool firstHasNoSeeds = false, params string[] flags)
        : this(null, size, firstHasNoSeeds, flags)
    {
    }

    /// <summary>As the other constructor, node i running in <paramref name="network"/>'s namespace i when given.</summary>
    public TestCluster(Chaos.NetworkNamespaces? network, int size, bool firstHasNoSeeds = false, params string[] flags)
    {
        _network = network;
        _firstHasNoSeeds = firstHasNoSeeds;
        _flags = flags;
        _config = _directory.Combine("cluster.conf");
        File.WriteAllText(_config, FastTiming);
        for (var i = 0; i < size; i++) AddSlot();
    }

    /// <summary>Adds HOCON settings to every node's configuration file (for nodes started after this).</summary>
    public void AddConfig(string hocon) => File.AppendAllText(_config, "\n" + hocon + "\n");

    /// <summary>How many node slots the cluster has.</summary>
    public int Size => _slots.Count;

    /// <summary>The running process of node <paramref name="index"/>.</summary>
    public AegisProcess this[int index] => _slots[index].Process ?? throw new InvalidOperationException($"node {index} is not running");

    /// <summary>True while node <paramref name="index"/> has a process that has not exited.</summary>
    public bool IsRunning(int index) => _slots[index].Process is { HasExited: false };

    /// <summary>The node id of node <paramref name="index"/>.</summary>
    public string NodeId(int index) => _slots[index].NodeId;

    /// <summary>Adds a slot for one more node (seeded by the existing ones); returns its index.</summary>
    public int AddSlot()
    {
        var index = _slots.Count;
        var ports = _network is { } network
            ? new NodePorts(FreePorts.Take(), FreePorts.Take(), FreePorts.Take(), network.Host(index), network.Namespace(index))
            : new NodePorts(FreePorts.Take(), FreePorts.Take(), FreePorts.Take());
        _slots.Add(new Slot($"node-{index + 1}", ports, _directory.Combine($"node-{index + 1}")));
        return index;
    }

    /// <summary>Starts node <paramref name="index"/> (again, after it stopped) with its id, ports and data.</summary>
    public AegisProcess Start(int index)
    {
        var slot = _slots[index];
        // The first slots are the seeds of every node: a node restarted later finds the cluster through them.
        var seedSlots = _slots.Take(3).ToList();
        // Restarted into a running cluster, a node lists itself last: a first seed that is itself forms a cluster of its
        // own when the others are slow to answer (as on two busy cores), and then never meets them again. A cluster runs
        // while another node that was ready in it runs; when every node was restarted (all of them downed), one that
        // lists itself first must form it again, or none does.
        if (seedSlots.Contains(slot) && _slots.Any(s => s != slot && s.Process is { HasExited: false } other
                                                     && other.StandardOutput.Contains("Ready: ", StringComparison.Ordinal)))
        {
            seedSlots.Remove(slot);
            seedSlots.Add(slot);
        }

        var seeds = _firstHasNoSeeds ? Gossip(_slots[0]) : string.Join(",", seedSlots.Select(Gossip));
        string[] seedFlags = _firstHasNoSeeds && index == 0 ? [] : ["--seeds", seeds];
        slot.Process = AegisProcess.StartNode(slot.DataDirectory, [.. Limits.NodeFlags, "--node-id", slot.NodeId, .. seedFlags, "--config", _config, .. _flags, .. slot.Flags], ports: slot.Ports);
        return slot.Process;
    }

    /// <summary>Starts every node not running and waits until each is ready.</summary>
    public async Task StartAllAsync(CancellationToken cancellationToken)
    {
        for (var i = 0; i < _slots.Count; i++)
            if (_slots[i].Process is null) Start(i);
        foreach (var slot in _slots) await slot.Process!.WaitUntilReadyAsync(TimeSpan.FromSeconds(60), cancellationToken);
    }

    /// <summary>
    /// Forms the cluster: the first seed, then the others joining it, until the leader counts them all among the
    /// members custody needs a majority of (what a full stop or a crash is judged against).
    /// </summary>
    public async Task FormAsync(CancellationToken cancellationToken)
    {
        await Start(0).WaitUntilReadyAsync(Limits.Startup, cancellationToken);
        await StartAllAsync(cancellationToken);
        var line = "Cluster members holding data are now: " + string.Join(", ", Enumerable.Range(0, Size).Select(NodeId));
        var limit = System.Diagnostics.Stopwatch.StartNew();
        while (!Enumerable.Range(0, Size).Any(i => this[i].StandardOutput.Contains(line, StringComparison.Ordinal)))
        {
            Assert.True(limit.Elapsed < TimeSpan.FromSeconds(60), $"no node logged '{line}'\n{Describe()}");
            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>Forgets node <paramref name="index"/>'s process after it exited (it can be started again).</summary>
    public async Task ForgetAsync(int index)
    {
        if (_slots[index].Process is { } process) await process.DisposeAsync();
        _slots[index].Process = null;
    }

    /// <summary>Flags node <paramref name="index"/> is started with too, after the cluster's (for nodes started after this).</summary>
    public void SetNodeFlags(int index, params string[] flags) => _slots[index].Flags = flags;

    /// <summary>Node <paramref name="index"/>'s data directory.</summary>
    public string DataDirectoryOf(int index) => _slots[index].DataDirectory;

    /// <summary>Deletes stopped node <paramref name="index"/>'s data directory: started again, it is an empty node under the same id.</summary>
    public void WipeData(int index)
    {
        if (IsRunning(index)) throw new InvalidOperationException($"node {index} is running");
        if (Directory.Exists(_slots[index].DataDirectory)) Directory.Delete(_slots[index].DataDirectory, recursive: true);
    }

    /// <summary>The client ports of the running nodes.</summary>
    public IReadOnlyList<int> ClientPorts => [.. _slots.Where(s => s.Process is { HasExited: false }).Select(s => s.Ports.Client)];

    /// <summary>
    /// The last <paramref name="count"/> lines of each node's output that contain any of <paramref name="words"/>: a
    /// short account of what went wrong, small enough for the figures CI prints.
    /// </summary>
    public string Excerpt(int count, params string[] words) => string.Join("\n", _slots.Where(s => s.Process is not null).Select(s =>
        s.NodeId + ":\n  " + string.Join("\n  ", s.Process!.StandardOutput.Split('\n')
            .Where(l => words.Any(w => l.Contains(w, StringComparison.OrdinalIgnoreCase))).TakeLast(count))));

    /// <summary>Every running node's output, for assertion messages.</summary>
    public string Describe() => string.Join("\n", _slots.Where(s => s.Process is not null).Select(s => s.Process!.Describe()));

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var slot in _slots)
            if (slot.Process is { } process) await process.DisposeAsync();
        _directory.Dispose();
    }

    private static string Gossip(Slot slot) => slot.Ports.Host + ":" + slot.Ports.Gossip;

    private sealed class Slot(string nodeId, NodePorts ports, string dataDirectory)
    {
        public string NodeId { get; } = nodeId;

        public NodePorts Ports { get; } = ports;

        public string DataDirectory { get; } = dataDirectory;

        public AegisProcess? Process { get; set; }

        public string[] Flags { get; set; } = [];
    }
}
