using Akka.Actor;
using AegisKV.Server.Configuration;
using Microsoft.Extensions.Logging;

namespace AegisKV.Server.Hosting;

/// <summary>
/// Says, once, when a node given <c>--seeds</c> has not joined its cluster in time. The usual cause is a seed
/// named by another address than the one it advertises (an IP for a node that advertises its host name): the
/// seed drops what is sent to an address it does not call its own, and the joining node hears nothing.
/// </summary>
internal static class JoinWatch
{
    /// <summary>Longer than Akka's own join retries (seed-node-timeout 5 s), so a slow start is not flagged.</summary>
    public static readonly TimeSpan WarnAfter = TimeSpan.FromSeconds(15);

    public static void Start(ActorSystem system, NodeSettings settings, ILogger log, CancellationToken stopping)
    {
        if (settings.Seeds.Count == 0) return;
        var joined = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Akka.Cluster.Cluster.Get(system).RegisterOnMemberUp(() => joined.TrySetResult());
        _ = WarnAsync();

        async Task WarnAsync()
        {
            var first = await Task.WhenAny(joined.Task, Task.Delay(WarnAfter, stopping)).ConfigureAwait(false);
            if (first == joined.Task || stopping.IsCancellationRequested) return;
            log.LogWarning(
                "Not joined after {Seconds} s: no seed of {Seeds} let this node in. Name each seed exactly as it advertises itself (the 'advertised' gossip address on its start line, host name or IP as written there) and check that its gossip port is reachable from here",
                (int)WarnAfter.TotalSeconds, string.Join(", ", settings.Seeds));
        }
    }
}
