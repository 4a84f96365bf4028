using System.Diagnostics;

namespace AegisKV.ProcessTests;

/// <summary>The replica groups of a cluster as its primaries show them in <c>INFO replication</c>.</summary>
public static class ReplicaGroups
{
    /// <summary>Each shard's group line (<c>epoch=…,members=a|b|c,last=…,commit=…,lag=…,in_sync=…</c>) from the nodes that lead them.</summary>
    public static async Task<SortedDictionary<string, string>> ReadAsync(TestCluster cluster, IEnumerable<int> nodes, CancellationToken cancellationToken)
    {
        var groups = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            try
            {
                await using var connection = await RespConnection.ConnectAsync(cluster[node].ClientPort, cancellationToken);
                var info = (await connection.ExecuteAsync(cancellationToken, "INFO", "replication")).Text ?? "";
                foreach (var line in info.Split("\r\n"))
                    if (line.StartsWith("group", StringComparison.Ordinal) && line.IndexOf(':') is var colon and > 0) groups[line[..colon]] = line[(colon + 1)..];
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or EndOfStreamException)
            {
                // A node starting or stopping: its groups show up at the next look.
            }
        }

        return groups;
    }

    /// <summary>
    /// Waits until every one of <paramref name="shards"/> shards is led with <paramref name="copies"/> members that all
    /// keep up (and, when <paramref name="idle"/>, lack nothing): a member lost for good would never keep up again.
    /// </summary>
    public static async Task WaitUntilWholeAsync(TestCluster cluster, IReadOnlyList<int> nodes, int shards, int copies, bool idle, TimeSpan within,
        CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var inSync = $",in_sync={copies}";
        while (true)
        {
            var groups = await ReadAsync(cluster, nodes, cancellationToken);
            var whole = groups.Values.Count(g => g.Split("members=")[1].Split(',')[0].Split('|').Length == copies && g.EndsWith(inSync, StringComparison.Ordinal)
                                                 && (!idle || g.Contains(",lag=0,", StringComparison.Ordinal)));
            if (groups.Count == shards && whole == shards) return;
            Assert.True(clock.Elapsed < within, $"groups not whole after {within.TotalSeconds:0} s: {string.Join("; ", groups.Select(g => g.Key + " " + g.Value))}\n{cluster.Describe()}");
            await Task.Delay(500, cancellationToken);
        }
    }
}
