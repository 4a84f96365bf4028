using Akka.Actor;
using AegisKV.Core.Replication;

namespace AegisKV.Cluster.Placement;

/// <summary>
/// Asks nodes' <see cref="ReplicaHost"/>s how their copies of a shard stand (<see cref="GetCopyState"/>), all at once,
/// and gives what answered within the timeout: a node that does not answer in time is left out, never waited for longer.
/// </summary>
public sealed class CopyStateProbe(ActorSystem system, TimeSpan timeout)
{
    /// <summary>The answers of <paramref name="nodes"/> about shard <paramref name="shardId"/>.</summary>
    public async Task<IReadOnlyList<CopyState>> AskAsync(int shardId, IEnumerable<Address> nodes)
    {
        var asks = new List<Task<CopyState>>();
        foreach (var node in nodes)
            asks.Add(system.ActorSelection(new RootActorPath(node) / "user" / ReplicaHost.Name).Ask<CopyState>(new GetCopyState(shardId), timeout));
        try
        {
            await Task.WhenAll(asks).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Timeouts and failures leave a node out; the others' answers stand.
        }

        var states = new List<CopyState>(asks.Count);
        foreach (var ask in asks)
            if (ask.IsCompletedSuccessfully) states.Add(ask.Result);
        return states;
    }
}
