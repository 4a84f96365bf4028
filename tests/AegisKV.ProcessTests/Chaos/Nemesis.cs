using System.Diagnostics;

namespace AegisKV.ProcessTests.Chaos;

/// <summary>What a <see cref="Nemesis"/> does to a cluster.</summary>
public enum Fault
{
    /// <summary>kill -9 of a node, restarted a few seconds later with its data.</summary>
    Kill,

    /// <summary>SIGSTOP of a node for up to six seconds, then SIGCONT.</summary>
    Pause,

    /// <summary>Every node in turn stopped gracefully (SIGTERM) and started again once the one before serves.</summary>
    RollingRestart,

    /// <summary>kill -9 of a node whose data directory is then lost: it comes back empty, and its groups refill.</summary>
    Replace,

    /// <summary>A node cut off from the other nodes (not from its clients) for up to twelve seconds; needs <see cref="Nemesis.Network"/>.</summary>
    Isolate,

    /// <summary>kill -9 of a node, one byte of its WAL's newest register write flipped, and a restart: that copy is discarded and rejoins.</summary>
    Corrupt,
}

/// <summary>
/// Faults for a <see cref="TestCluster"/>, one at a time so that a majority stays up, at random moments (by default
/// kills and pauses). A node the cluster downed while it was paused stops itself when resumed; the nemesis starts it
/// again, as an operator's supervisor would. Faults that take copies away (a restart, a replacement) wait until
/// every group is whole again before the next, as an operator would.
/// </summary>
public sealed class Nemesis(TestCluster cluster, int seed, params Fault[] faults)
{
    private const int Shards = 8;
    private static readonly TimeSpan Refill = TimeSpan.FromSeconds(90);
    private readonly Fault[] _faults = faults.Length == 0 ? [Fault.Kill, Fault.Pause] : faults;
    private int _first = -1;
    private int _rounds;
    private int? _isolated;

    /// <summary>The namespaces the cluster runs in, for <see cref="Fault.Isolate"/>.</summary>
    public NetworkNamespaces? Network { get; init; }
    private const int SigStop = 19;
    private const int SigCont = 18;
    private readonly Random _random = new(seed);
    private readonly List<string> _events = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    /// <summary>What was done when, for the report.</summary>
    public IReadOnlyList<string> Events => _events;

    /// <summary>Injects faults until <paramref name="stop"/>, then heals everything.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        _first = _random.Next(_faults.Length);
        while (!stop.IsCancellationRequested)
        {
            if (!await DelayAsync(TimeSpan.FromMilliseconds(_random.Next(2000, 6000)), stop)) break;
            var node = _random.Next(cluster.Size);
            if (!cluster.IsRunning(node)) continue;
            // Each kind in turn (from a random first one), so that a short run sees every kind.
            switch (_faults[(_first + _rounds++) % _faults.Length])
            {
                case Fault.Kill:
                    await KillAndRestartAsync(node, stop);
                    break;
                case Fault.Pause:
                    await PauseAndResumeAsync(node, stop);
                    break;
                case Fault.RollingRestart:
                    await RollingRestartAsync();
                    break;
                case Fault.Replace:
                    await ReplaceAsync(node);
                    break;
                case Fault.Isolate:
                    await IsolateAsync(node, stop);
                    break;
                case Fault.Corrupt:
                    await CorruptAsync(node);
                    break;
            }
        }

        await HealAsync();
    }

    private async Task KillAndRestartAsync(int node, CancellationToken stop)
    {
        Note($"kill -9 {cluster.NodeId(node)}");
        cluster[node].Kill();
        await cluster[node].WaitForExitAsync(Limits.Reap, CancellationToken.None);
        await cluster.ForgetAsync(node);
        await DelayAsync(TimeSpan.FromMilliseconds(_random.Next(500, 5000)), stop);
        Note($"restart {cluster.NodeId(node)}");
        cluster.Start(node);
    }

    private async Task PauseAndResumeAsync(int node, CancellationToken stop)
    {
        var pause = TimeSpan.FromMilliseconds(_random.Next(500, 6000));
        Note($"SIGSTOP {cluster.NodeId(node)} for {pause.TotalSeconds:0.0} s");
        cluster[node].Signal(SigStop);
        await DelayAsync(pause, stop);
        cluster[node].Signal(SigCont);
        Note($"SIGCONT {cluster.NodeId(node)}");
    }

    // Long enough, at times, for the others to down it: it then stops itself once healed, and is started again.
    private async Task IsolateAsync(int node, CancellationToken stop)
    {
        var network = Network ?? throw new InvalidOperationException("isolating a node needs the cluster's network namespaces");
        var cut = TimeSpan.FromMilliseconds(_random.Next(1000, 12000));
        Note($"cut {cluster.NodeId(node)} off from the other nodes for {cut.TotalSeconds:0.0} s");
        network.Isolate(node);
        _isolated = node;
        await DelayAsync(cut, stop);
        network.Heal(node);
        _isolated = null;
        Note($"healed {cluster.NodeId(node)}");
    }

    // As the checklist's rolling restart: one node at a time, the next once it serves again and its groups are whole.
    private async Task RollingRestartAsync()
    {
        for (var node = 0; node < cluster.Size; node++)
        {
            Note($"SIGTERM {cluster.NodeId(node)} (rolling restart)");
            cluster[node].Terminate();
            await cluster[node].WaitForExitAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
            await cluster.ForgetAsync(node);
            await cluster.Start(node).WaitUntilReadyAsync(Limits.Startup, CancellationToken.None);
            Note($"restarted {cluster.NodeId(node)}");
            await WaitUntilWholeAsync();
        }
    }

    // A lost disk: the node comes back under its id with nothing, and is whole again once its groups copied it all.
    private Task ReplaceAsync(int node) =>
        KillAlterAndRestartAsync(node, " and lose its data", () =>
        {
            cluster.WipeData(node);
            return null;
        }, " empty");

    // Flipped bytes: the copy of the shard whose record is damaged is discarded as the node starts, and catches up (ADR 0016).
    private Task CorruptAsync(int node) =>
        KillAlterAndRestartAsync(node, "", () => $"flipped a byte of {cluster.NodeId(node)}'s WAL at {FlipNewestRegisterWrite(cluster.DataDirectoryOf(node))}", "");

    // kill -9, something done to the data directory while the node is down (said by what `alter` returns), a restart,
    // and a wait until every group is whole again.
    private async Task KillAlterAndRestartAsync(int node, string killed, Func<string?> alter, string restarted)
    {
        Note($"kill -9 {cluster.NodeId(node)}{killed}");
        cluster[node].Kill();
        await cluster[node].WaitForExitAsync(Limits.Reap, CancellationToken.None);
        await cluster.ForgetAsync(node);
        if (alter() is { } altered) Note(altered);
        await cluster.Start(node).WaitUntilReadyAsync(Limits.Startup, CancellationToken.None);
        Note($"restarted {cluster.NodeId(node)}{restarted}");
        await WaitUntilWholeAsync();
    }

    // The digit after the newest "{reg" in the newest segment holding one: a register's name in its latest write.
    private static string FlipNewestRegisterWrite(string dataDirectory)
    {
        var name = "{reg"u8.ToArray();
        foreach (var segment in Directory.GetFiles(Path.Combine(dataDirectory, "wal"), "*.wal").OrderDescending(StringComparer.Ordinal))
        {
            var bytes = File.ReadAllBytes(segment);
            var at = bytes.AsSpan().LastIndexOf(name);
            if (at < 0 || at + name.Length >= bytes.Length) continue;
            bytes[at + name.Length] ^= 0x40;
            File.WriteAllBytes(segment, bytes);
            return $"{Path.GetFileName(segment)} offset {at + name.Length}";
        }

        throw new InvalidOperationException($"no register write in the WAL of {dataDirectory}");
    }

    private async Task WaitUntilWholeAsync()
    {
        var clock = Stopwatch.StartNew();
        await ReplicaGroups.WaitUntilWholeAsync(cluster, [.. Enumerable.Range(0, cluster.Size)], Shards, 3, idle: false, Refill, CancellationToken.None);
        Note($"every group whole again after {clock.Elapsed.TotalSeconds:0.0} s");
    }

    // Every node running and resumed (a node downed while paused may be on its way out: started again once gone).
    private async Task HealAsync()
    {
        if (_isolated is { } isolated)
        {
            Network!.Heal(isolated);
            _isolated = null;
            Note($"healed {cluster.NodeId(isolated)}");
        }

        for (var node = 0; node < cluster.Size; node++)
        {
            if (cluster.IsRunning(node))
            {
                cluster[node].Signal(SigCont);
                continue;
            }

            await cluster.ForgetAsync(node);
            Note($"restart {cluster.NodeId(node)} (healing)");
            cluster.Start(node);
        }
    }

    /// <summary>Starts again any node that stopped by itself (downed while paused) since the heal.</summary>
    public async Task RestartExitedAsync()
    {
        for (var node = 0; node < cluster.Size; node++)
        {
            if (cluster.IsRunning(node)) continue;
            await cluster.ForgetAsync(node);
            Note($"restart {cluster.NodeId(node)} (it had stopped)");
            cluster.Start(node);
        }
    }

    private void Note(string what)
    {
        lock (_events) _events.Add($"{_clock.Elapsed.TotalSeconds:0.0} s {what}");
    }

    private static async Task<bool> DelayAsync(TimeSpan delay, CancellationToken stop)
    {
        try
        {
            await Task.Delay(delay, stop);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
