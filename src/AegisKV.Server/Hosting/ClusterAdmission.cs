using Akka.Actor;
using AegisKV.Cluster;
using AegisKV.Core.Replies;
using AegisKV.Server.Configuration;
using AegisKV.Server.Resp;
using Microsoft.Extensions.Logging;

namespace AegisKV.Server.Hosting;

/// <summary>
/// Admits a node given <c>--seeds</c> to its cluster, or refuses it. Until the node is up in the cluster its key
/// commands are held back (<see cref="JoinGate"/>); once it is, it serves if every older member has its shard
/// count and no live older member has its node id, and otherwise says so in one line and stops with exit code 2: a
/// cluster's shard count is fixed when it forms, and a node that maps keys to shards differently would write them
/// where no one looks. A node that has
/// not joined after <see cref="WarnAfter"/> says so too: the usual cause is a seed named by another address than
/// the one it advertises, which drops what is sent to an address it does not call its own.
/// </summary>
internal static class ClusterAdmission
{
    /// <summary>Exit code of a node refused by its cluster.</summary>
    public const int RefusedExitCode = 2;

    /// <summary>Longer than Akka's own join retries (seed-node-timeout 5 s), so a slow start is not flagged.</summary>
    public static readonly TimeSpan WarnAfter = TimeSpan.FromSeconds(15);

    public static void Start(ActorSystem system, NodeSettings settings, JoinGate gate, Action<int> stop, ILogger log, CancellationToken stopping)
    {
        if (settings.Seeds.Count == 0) return;
        gate.Close(Errors.Text("TRYAGAIN this node is joining its cluster"));
        var cluster = Akka.Cluster.Cluster.Get(system);
        var joined = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.RegisterOnMemberUp(() =>
        {
            joined.TrySetResult();
            var self = cluster.SelfMember;
            var state = cluster.State;
            // Custody and placement know a node by its id: a second node under a live member's id would serve that member's shards from its own copy.
            // (Never itself: its own entry in the state may already carry a lower up-number than SelfMember did.)
            var twin = state.Members.FirstOrDefault(m => !m.UniqueAddress.Equals(self.UniqueAddress) && m.IsOlderThan(self) && m.Status == Akka.Cluster.MemberStatus.Up
                                                         && !state.Unreachable.Contains(m) && ClusterRoles.NodeIdOf(m) == settings.NodeId);
            if (twin is not null)
            {
                log.LogError("Refusing to join: node id {NodeId} is already the member at {Address}; give every node its own --node-id", settings.NodeId, twin.Address);
                stop(RefusedExitCode);
                return;
            }

            // Every member must place keys and replicate them alike: another count would split the cluster's data.
            var copies = state.Members.FirstOrDefault(m => m.IsOlderThan(self) && ClusterRoles.ReplicationFactorOf(m) != settings.ReplicationFactor);
            if (copies is not null)
            {
                log.LogError(
                    "Refusing to join: this node has --replication-factor {Copies} but the cluster has {Theirs} (node {Node} at {Address}); a cluster's replication factor is fixed when it forms",
                    settings.ReplicationFactor, ClusterRoles.ReplicationFactorOf(copies), ClusterRoles.NodeIdOf(copies), copies.Address);
                stop(RefusedExitCode);
                return;
            }

            var other = state.Members.FirstOrDefault(m => m.IsOlderThan(self) && ClusterRoles.ShardCountOf(m) != settings.Shards);
            if (other is null)
            {
                gate.Open();
                return;
            }

            var theirs = ClusterRoles.ShardCountOf(other)?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown";
            log.LogError(
                "Refusing to join: this node has --shards {Shards} but the cluster has {Theirs} (node {Node} at {Address}); a cluster's shard count is fixed when it forms. Start this node with --shards {Theirs}",
                settings.Shards, theirs, ClusterRoles.NodeIdOf(other), other.Address, theirs);
            stop(RefusedExitCode);
        });
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
