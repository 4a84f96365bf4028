using System.Diagnostics;
using Xunit.Abstractions;

namespace AegisKV.ProcessTests;

/// <summary>
/// A node whose WAL was damaged while it was down: the shards that lost records have their copy discarded and rejoin
/// their groups empty (ADR 0016); they catch up from the primaries, and the node holds every key again.
/// </summary>
[Collection(nameof(ClusterProcesses))]
public sealed class CorruptionRepairTests(ITestOutputHelper output)
{
    private const int Keys = 500;
    private const int Shards = 8;

    private void Report(string text, [System.Runtime.CompilerServices.CallerMemberName] string test = "") => Figures.Report(output, test, text);

    [Fact(Timeout = 300_000)]
    public async Task A_node_whose_wal_lost_records_should_discard_those_copies_and_get_them_back_from_its_groups()
    {
        using var budget = new CancellationTokenSource(TimeSpan.FromSeconds(290));
        await using var cluster = new TestCluster(3, false, "--replication-factor", "3");
        await cluster.FormAsync(budget.Token);
        await ClusterKeys.WriteUntilAcknowledgedAsync(cluster.ClientPorts, "k", Keys, TimeSpan.FromSeconds(60), budget.Token);
        await ReplicaGroups.WaitUntilWholeAsync(cluster, [0, 1, 2], Shards, 3, idle: true, TimeSpan.FromSeconds(60), budget.Token);

        // node-3 stops cleanly, then two of its records are damaged in place: one byte of each key's name flipped.
        cluster[2].Terminate();
        Assert.Equal(0, await cluster[2].WaitForExitAsync(TimeSpan.FromSeconds(60), budget.Token));
        await cluster.ForgetAsync(2);
        var dataDirectory = cluster.DataDirectoryOf(2);
        var damaged = new List<string>();
        foreach (var key in new[] { ClusterKeys.Key("k", 137), ClusterKeys.Key("k", 402) })
            damaged.Add(FlipByteOf(dataDirectory, key));
        await using (var verify = await AegisProcess.RunAsync(["wal", "verify", "--data-dir", dataDirectory], Limits.Command, budget.Token))
        {
            Assert.True(verify.ExitCode == 1, $"wal verify exited {verify.ExitCode} after the damage, expected 1\n{verify.Describe()}");
            Report("$ aegis wal verify (node-3, stopped)\n" + string.Join('\n', verify.StandardOutput.Split('\n').Where(l => l.StartsWith("CORRUPT", StringComparison.Ordinal))));
        }

        var clock = Stopwatch.StartNew();
        var node = cluster.Start(2);
        await node.WaitUntilReadyAsync(TimeSpan.FromSeconds(60), budget.Token);
        await ReplicaGroups.WaitUntilWholeAsync(cluster, [0, 1, 2], Shards, 3, idle: true, TimeSpan.FromSeconds(120), budget.Token);
        long held;
        while ((held = await ClusterKeys.KeysHeldAsync(node, budget.Token)) < Keys)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(120), $"node-3 holds {held} of {Keys} keys\n{cluster.Describe()}");
            await Task.Delay(250, budget.Token);
        }

        var repaired = clock.Elapsed;
        var discarded = await ReplicaGroups.InfoFieldAsync(node.ClientPort, "aegis_copies_discarded", budget.Token);
        var lines = node.StandardOutput.Split('\n').Where(l => l.Contains("lost records to corruption in", StringComparison.Ordinal)).ToList();
        Assert.True(discarded >= 1 && lines.Count == discarded, $"{discarded} copies discarded, {lines.Count} logged\n{node.Describe()}");
        Assert.All(lines, line => Assert.Contains(".wal at offset ", line, StringComparison.Ordinal));

        // Its copies count: with node-1 gone, every group's majority is node-2 and node-3.
        await ReplicaGroups.LoseNodeAndReadAsync(cluster, 0, [1, 2], "k", Keys, budget.Token);

        Report($"{Keys} keys, 3 nodes, 3 copies; node-3's WAL damaged at {string.Join(" and ", damaged)} while it was down: it discarded {discarded} "
               + $"copies, logging each with its file and offset, and held all {Keys} keys again {repaired.TotalSeconds:0.0} s after it started; "
               + "then node-1 was killed and every key was read and written through node-2 and node-3");
        Report(string.Join('\n', lines.Select(l => "  " + l.Trim())));
    }

    // Flips one byte of the first record in the node's WAL that holds the key's name; says where.
    private static string FlipByteOf(string dataDirectory, string key)
    {
        foreach (var segment in Directory.GetFiles(Path.Combine(dataDirectory, "wal"), "*.wal"))
        {
            var bytes = File.ReadAllBytes(segment);
            var at = IndexOfKey(bytes, System.Text.Encoding.UTF8.GetBytes(key));
            if (at < 0) continue;
            bytes[at + 1] ^= 0x5A;
            File.WriteAllBytes(segment, bytes);
            return $"{Path.GetFileName(segment)} offset {at + 1} ({key})";
        }

        throw new InvalidOperationException($"no WAL segment of {dataDirectory} holds {key}");
    }

    // The key's name as a whole word: not the start of a longer key ("k:40" in "k:402").
    private static int IndexOfKey(byte[] bytes, byte[] key)
    {
        for (var from = 0; ;)
        {
            var at = bytes.AsSpan(from).IndexOf(key);
            if (at < 0) return -1;
            at += from;
            var end = at + key.Length;
            if (end >= bytes.Length || !char.IsAsciiDigit((char)bytes[end])) return at;
            from = at + 1;
        }
    }
}
