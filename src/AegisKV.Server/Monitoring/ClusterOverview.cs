using Akka.Actor;
using AegisKV.Cluster.Monitoring;
using AegisKV.Core.Sharding;
using AegisKV.Server.Metrics;
using AegisKV.Server.Topology;

namespace AegisKV.Server.Monitoring;

/// <summary>
/// The whole cluster as the dashboard and <c>aegis top</c> show it: the topology, every shard's own figures, and every
/// member's <see cref="NodeFigures"/>, asked of it through its <c>figures</c> actor. Kept for a second, so that any
/// number of viewers cost the cluster one round of questions a second.
/// </summary>
public sealed class ClusterOverview
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromMilliseconds(900);
    private static readonly TimeSpan FiguresTimeout = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ShardStatsTimeout = TimeSpan.FromSeconds(2);

    private readonly ActorSystem _system;
    private readonly ClusterTopology _topology;
    private readonly NodeFiguresSampler _self;
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private (Overview Overview, long At)? _cached;

    /// <summary>Creates the view of a node whose own figures come from <paramref name="self"/>.</summary>
    public ClusterOverview(ActorSystem system, ClusterTopology topology, NodeFiguresSampler self)
    {
        _system = system;
        _topology = topology;
        _self = self;
    }

    /// <summary>The overview, at most about a second old.</summary>
    public async Task<Overview> GetAsync(CancellationToken cancellationToken)
    {
        if (_cached is { } fresh && Environment.TickCount64 - fresh.At < CacheFor.TotalMilliseconds) return fresh.Overview;
        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_cached is { } again && Environment.TickCount64 - again.At < CacheFor.TotalMilliseconds) return again.Overview;
            var overview = await BuildAsync(cancellationToken).ConfigureAwait(false);
            _cached = (overview, Environment.TickCount64);
            return overview;
        }
        finally
        {
            _refresh.Release();
        }
    }

    private async Task<Overview> BuildAsync(CancellationToken cancellationToken)
    {
        var stats = _topology.ShardStatsAsync(ShardStatsTimeout);
        var topology = await _topology.GetAsync(cancellationToken).ConfigureAwait(false);
        var asks = new List<Task<NodeFigures?>>();
        foreach (var node in topology.Nodes)
        {
            if (node.NodeId == topology.Self) asks.Add(Task.FromResult<NodeFigures?>(_self.Current));
            else if (node.Reachable && node.Status is "Up" or "WeaklyUp" or "Leaving" or "Joining") asks.Add(AskAsync(node.Address));
        }

        var figures = new Dictionary<string, NodeFigures>(StringComparer.Ordinal);
        foreach (var answer in await Task.WhenAll(asks).ConfigureAwait(false))
            if (answer is not null) figures[answer.NodeId] = answer;
        return new Overview(topology, await stats.ConfigureAwait(false), figures, DateTimeOffset.UtcNow);
    }

    private async Task<NodeFigures?> AskAsync(string address)
    {
        try
        {
            return await _system.ActorSelection(address + "/user/" + FiguresResponder.Name).Ask<NodeFigures>(GetNodeFigures.Instance, FiguresTimeout).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException or ActorNotFoundException)
        {
            // Shown as a member without figures: it is starting, stopping or too busy to answer within the second.
            return null;
        }
    }
}

/// <summary>One round of the cluster's figures.</summary>
/// <param name="Topology">Members and where each shard runs, as this node sees them.</param>
/// <param name="Shards">Each shard's own figures (null where it did not answer).</param>
/// <param name="Figures">Each member's figures, by node id (absent where it did not answer).</param>
/// <param name="At">When they were gathered.</param>
public sealed record Overview(Topology.Topology Topology, ShardStats?[] Shards, IReadOnlyDictionary<string, NodeFigures> Figures, DateTimeOffset At);
