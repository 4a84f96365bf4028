using AegisKV.Cluster.Placement;

namespace AegisKV.Cluster.Tests;

public sealed class RebalancePlanTests
{
    private static readonly string[] Shards = [.. Enumerable.Range(0, 64).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    // Where the shards are when node-4 has just joined three nodes that held them all.
    private static Dictionary<string, IReadOnlyList<string>> BeforeJoin()
    {
        string[] old = ["node-1", "node-2", "node-3"];
        var allocations = new Dictionary<string, IReadOnlyList<string>> { ["node-4"] = [] };
        foreach (var node in old)
            allocations[node] = Shards.Where(s => Rendezvous.Rank(s, old)[0] == node).ToList();
        return allocations;
    }

    [Fact]
    public void A_rebalance_should_move_the_shards_the_new_node_ranks_first_for_a_bounded_number_at_a_time()
    {
        var allocations = BeforeJoin();
        string[] nodes = ["node-1", "node-2", "node-3", "node-4"];
        var due = Shards.Where(s => Rendezvous.Rank(s, nodes)[0] == "node-4").ToList();

        var first = RebalancePlan.ShardsToMove(allocations, nodes, n => n, new HashSet<string>(), limit: 3);

        Assert.Equal(due.Take(3), first);
        var next = RebalancePlan.ShardsToMove(allocations, nodes, n => n, new HashSet<string>(first.Take(2)), limit: 3);
        Assert.Equal([due[2]], next);
    }

    [Fact]
    public void Nothing_should_move_once_every_shard_is_on_its_first_ranked_node()
    {
        string[] nodes = ["node-1", "node-2", "node-3"];
        var allocations = nodes.ToDictionary(n => n, n => (IReadOnlyList<string>)Shards.Where(s => Rendezvous.Rank(s, nodes)[0] == n).ToList());

        Assert.Empty(RebalancePlan.ShardsToMove(allocations, nodes, n => n, new HashSet<string>(), limit: 10));
    }

    [Fact]
    public void A_leaving_node_should_see_all_its_shards_moved_and_no_other()
    {
        string[] nodes = ["node-1", "node-2", "node-3"];
        var allocations = nodes.ToDictionary(n => n, n => (IReadOnlyList<string>)Shards.Where(s => Rendezvous.Rank(s, nodes)[0] == n).ToList());

        var moves = RebalancePlan.ShardsToMove(allocations, ["node-1", "node-3"], n => n, new HashSet<string>(), limit: 64);

        Assert.Equal(allocations["node-2"].OrderBy(s => s.Length).ThenBy(s => s, StringComparer.Ordinal), moves);
    }
    [Fact]
    public void A_shard_running_away_from_the_node_holding_its_data_should_move_before_any_ranked_move()
    {
        string[] nodes = ["node-1", "node-2", "node-3"];
        var allocations = nodes.ToDictionary(n => n, n => (IReadOnlyList<string>)Shards.Where(s => Rendezvous.Rank(s, nodes)[0] == n).ToList());
        var stray = allocations["node-1"][0];
        // Custody says node-2 holds it (it was started on node-1 while node-2 was away).
        Func<string, string?> holderOf = s => s == stray ? "node-2" : null;

        Assert.Equal([stray], RebalancePlan.ShardsToMove(allocations, nodes, n => n, new HashSet<string>(), limit: 10, holderOf));
    }

    [Fact]
    public void A_shard_whose_data_is_on_a_node_that_is_not_eligible_should_stay_where_it_is()
    {
        string[] nodes = ["node-1", "node-2", "node-3"];
        // node-3 is down: every shard sits on node-1, and custody says node-3 holds the first of them.
        var allocations = new Dictionary<string, IReadOnlyList<string>> { ["node-1"] = Shards, ["node-2"] = [] };
        var ranked = RebalancePlan.ShardsToMove(allocations, nodes[..2], n => n, new HashSet<string>(), limit: 64);
        var onDownNode = ranked[0];

        var moves = RebalancePlan.ShardsToMove(allocations, nodes[..2], n => n, new HashSet<string>(), limit: 64, s => s == onDownNode ? "node-3" : null);

        Assert.DoesNotContain(onDownNode, moves);
        Assert.Equal(ranked.Count - 1, moves.Count);
    }
}
