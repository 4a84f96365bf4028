using Akka.Actor;
using Akka.TestKit.Xunit2;
using AegisKV.Cluster.Custody;

namespace AegisKV.Cluster.Tests.Custody;

/// <summary>Rounds through replicas in one actor system: what a majority decides, and when nothing can be.</summary>
public sealed class CustodyRoundTests : TestKit
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);
    private static readonly Membership ThreeMembers = Membership.Empty.With("a", true).With("b", true).With("c", true);

    private (string NodeId, ActorPath Replica)[] StartReplicas(Membership members, params string[] nodeIds) =>
        [.. nodeIds.Select(id =>
        {
            var view = new CustodyView(CustodyState.Empty with { Members = members });
            var replica = Sys.ActorOf(CustodyReplica.Props(id, new CustodyStore(null), view));
            return (id, replica.Path);
        })];

    private Task<RoundResult> Round(string nodeId, IReadOnlyList<(string, ActorPath)> replicas, Membership members, Func<string?, string?> decide)
    {
        var result = new TaskCompletionSource<RoundResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        Sys.ActorOf(CustodyRound.Props("shard/1", nodeId, replicas, members, 0, decide, result, Timeout));
        return result.Task;
    }

    [Fact]
    public async Task A_value_written_through_one_majority_should_be_read_through_any_other()
    {
        var replicas = StartReplicas(ThreeMembers, "a", "b", "c");

        var written = await Round("a", replicas[..2], ThreeMembers, current => current ?? "a");
        var read = await Round("c", replicas[1..], ThreeMembers, current => current);

        Assert.True(written.Written);
        Assert.True(read.Written);
        Assert.Equal("a", read.Value);
    }

    [Fact]
    public async Task Two_nodes_claiming_an_empty_entry_at_once_should_both_learn_the_same_holder()
    {
        for (var i = 0; i < 20; i++)
        {
            var replicas = StartReplicas(ThreeMembers, "a", "b", "c");

            var first = Round("a", replicas, ThreeMembers, current => current ?? "a");
            var second = Round("b", replicas, ThreeMembers, current => current ?? "b");
            var results = await Task.WhenAll(first, second);

            Assert.All(results, r => Assert.True(r.Written, r.Reason));
            Assert.Equal(results[0].Value, results[1].Value);
        }
    }

    [Fact]
    public async Task Without_a_majority_of_the_members_nothing_should_be_decided()
    {
        var replicas = StartReplicas(ThreeMembers, "a");

        var result = await Round("a", replicas, ThreeMembers, current => current ?? "a");

        Assert.False(result.Written);
        Assert.Contains("a majority of the cluster's last known members (a, b, c) is needed, 2 of 3; 1 reachable (a)", result.Reason);
    }

    [Fact]
    public async Task A_cluster_that_never_recorded_members_should_need_every_node_it_reaches()
    {
        var replicas = StartReplicas(Membership.Empty, "a", "b");
        var unreachable = replicas.Append(("c", new RootActorPath(((ExtendedActorSystem)Sys).Provider.DefaultAddress) / "user" / "nobody")).ToArray();

        Assert.True((await Round("a", replicas, Membership.Empty, current => current ?? "a")).Written);
        Assert.False((await Round("a", unreachable, Membership.Empty, current => current ?? "a")).Written);
    }

    [Fact]
    public async Task A_replica_that_learned_the_members_should_teach_them_to_a_round_that_did_not_know_them()
    {
        // The round starts knowing no members (a node that just joined); replica b knows a, b and c.
        var replicas = StartReplicas(ThreeMembers, "a", "b");

        var result = await Round("new", replicas, Membership.Empty, current => current ?? "new");

        Assert.True(result.Written, result.Reason);
        Assert.Equal("new", result.Value);
    }
}
