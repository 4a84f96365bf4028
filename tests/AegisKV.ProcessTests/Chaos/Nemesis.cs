using System.Diagnostics;

namespace AegisKV.ProcessTests.Chaos;

/// <summary>
/// Faults for a <see cref="TestCluster"/>, one at a time so that a majority stays up: kill -9 and restart a node,
/// or pause it (SIGSTOP) and resume it (SIGCONT), at random moments. A node the cluster downed while it was
/// paused stops itself when resumed; the nemesis starts it again, as an operator's supervisor would.
/// </summary>
public sealed class Nemesis(TestCluster cluster, int seed)
{
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
        while (!stop.IsCancellationRequested)
        {
            if (!await DelayAsync(TimeSpan.FromMilliseconds(_random.Next(2000, 6000)), stop)) break;
            var node = _random.Next(cluster.Size);
            if (!cluster.IsRunning(node)) continue;
            if (_random.Next(2) == 0) await KillAndRestartAsync(node, stop);
            else await PauseAndResumeAsync(node, stop);
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

    // Every node running and resumed (a node downed while paused may be on its way out: started again once gone).
    private async Task HealAsync()
    {
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
