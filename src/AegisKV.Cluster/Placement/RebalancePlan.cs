namespace AegisKV.Cluster.Placement;

/// <summary>
/// Which shards a rebalance moves: those that run away from the eligible node holding their data, then those
/// whose owner is not the node that ranks first for them among the eligible nodes; a bounded number at a time,
/// lowest shard number first so that every run picks the same. A shard whose data is on a node that is not
/// eligible stays where it is: it cannot serve anywhere until that node is back.
/// </summary>
public static class RebalancePlan
{
    /// <summary>
    /// The shards to move now. <paramref name="allocations"/> maps each node to the shards it holds;
    /// <paramref name="eligible"/> are the nodes that may take shards (up, not leaving); at most
    /// <paramref name="limit"/> shards are in motion at once, counting <paramref name="inProgress"/>;
    /// <paramref name="holderOf"/> names the node holding a shard's data, when known, or its replica group;
    /// <paramref name="memberOf"/> gives a node's member id in such groups (its node id when not given).
    /// </summary>
    public static IReadOnlyList<string> ShardsToMove<TNode>(
        IEnumerable<KeyValuePair<TNode, IReadOnlyList<string>>> allocations,
        IReadOnlyCollection<TNode> eligible,
        Func<TNode, string> idOf,
        IReadOnlySet<string> inProgress,
        int limit,
        Func<string, string?>? holderOf = null,
        Func<TNode, string>? memberOf = null)
        where TNode : notnull
    {
        var room = limit - inProgress.Count;
        if (room <= 0 || eligible.Count == 0) return [];
        var misplaced = new List<string>();
        foreach (var (node, shards) in allocations)
        {
            var id = idOf(node);
            foreach (var shard in shards)
            {
                if (inProgress.Contains(shard)) continue;
                var holder = holderOf?.Invoke(shard);
                if (holder is not null && Replication.GroupRecord.IsGroup(holder))
                {
                    // A replicated shard belongs with its group's first-ranked eligible member.
                    var leader = Rendezvous.Top(shard, eligible.Where(n => Replication.GroupRecord.Holds(holder, (memberOf ?? idOf)(n))), idOf);
                    if (leader is not null && idOf(leader) != id) misplaced.Add(shard);
                    continue;
                }

                if (holder is not null && holder != id)
                {
                    if (eligible.Any(n => idOf(n) == holder)) misplaced.Add(shard);
                    continue;
                }

                var owner = Rendezvous.Top(shard, eligible, idOf);
                if (owner is not null && idOf(owner) != id) misplaced.Add(shard);
            }
        }

        misplaced.Sort(ByShardNumber);
        return misplaced.Count <= room ? misplaced : misplaced.GetRange(0, room);
    }

    private static int ByShardNumber(string a, string b)
    {
        var byLength = a.Length.CompareTo(b.Length); // "9" before "10" for numeric ids
        return byLength != 0 ? byLength : string.CompareOrdinal(a, b);
    }
}
