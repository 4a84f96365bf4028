using System.Diagnostics;

namespace AegisKV.ProcessTests;

/// <summary>The replica groups of a cluster as its primaries show them in <c>INFO replication</c>.</summary>
public static class ReplicaGroups
{
    /// <summary>A number field of <c>INFO replication</c> on the node at <paramref name="port"/>; 0 when it has none.</summary>
    public static async Task<long> InfoFieldAsync(int port, string field, CancellationToken cancellationToken)
    {
        foreach (var line in await InfoLinesAsync(port, cancellationToken))
            if (line.StartsWith(field + ":", StringComparison.Ordinal)) return long.Parse(line[(field.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        return 0;
    }

    /// <summary>Each shard's group line (<c>epoch=…,members=a|b|c,last=…,commit=…,lag=…,in_sync=…</c>) from the nodes that lead them.</summary>
    public static async Task<SortedDictionary<string, string>> ReadAsync(TestCluster cluster, IEnumerable<int> nodes, CancellationToken cancellationToken)
    {
        var groups = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            try
            {
                foreach (var line in await InfoLinesAsync(cluster[node].ClientPort, cancellationToken))
                    if (line.StartsWith("group", StringComparison.Ordinal) && line.IndexOf(':') is var colon and > 0) groups[line[..colon]] = line[(colon + 1)..];
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or EndOfStreamException)
            {
                // A node starting or stopping: its groups show up at the next look.
            }
        }

        return groups;
    }

    /// <summary>For each shard the node took over as primary, how many entries its copy lacked then, from its log.</summary>
    public static IReadOnlyList<long> EntriesLackedAtTakeOver(AegisProcess node)
    {
        const string marker = "its copy lacked ";
        var lacked = new List<long>();
        foreach (var line in node.StandardOutput.Split('\n'))
        {
            if (line.IndexOf(marker, StringComparison.Ordinal) is not (var at and >= 0)) continue;
            var digits = line.AsSpan(at + marker.Length);
            var length = 0;
            while (length < digits.Length && char.IsAsciiDigit(digits[length])) length++;
            lacked.Add(long.Parse(digits[..length], System.Globalization.CultureInfo.InvariantCulture));
        }

        return lacked;
    }

    private static async Task<string[]> InfoLinesAsync(int port, CancellationToken cancellationToken)
    {
        await using var connection = await RespConnection.ConnectAsync(port, cancellationToken);
        return ((await connection.ExecuteAsync(cancellationToken, "INFO", "replication")).Text ?? "").Split("\r\n");
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

    /// <summary>
    /// Kills node <paramref name="killed"/>, then writes through <paramref name="survivors"/> and reads every one of the
    /// <paramref name="keys"/> keys under <paramref name="prefix"/> back through each: the groups that had the killed
    /// node keep a majority only through the copies the survivors hold.
    /// </summary>
    public static async Task LoseNodeAndReadAsync(TestCluster cluster, int killed, int[] survivors, string prefix, int keys, CancellationToken cancellationToken)
    {
        cluster[killed].Kill();
        int[] ports = [.. survivors.Select(s => cluster[s].ClientPort)];
        await ClusterKeys.WriteUntilAcknowledgedAsync(ports, "after", 64, TimeSpan.FromSeconds(90), cancellationToken);
        foreach (var port in ports)
        {
            var read = await ClusterKeys.ReadUntilAllFoundAsync(port, prefix, keys, TimeSpan.FromSeconds(30), cancellationToken);
            Assert.True(read.Found == keys, $"through port {port}: {read}\n{cluster.Describe()}");
        }
    }
}
