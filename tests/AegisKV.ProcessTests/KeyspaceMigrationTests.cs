using StackExchange.Redis;
using Xunit.Abstractions;

namespace AegisKV.ProcessTests;

/// <summary>
/// A data directory laid out for other key-to-shard rules (an earlier release's XxHash3 mapping, or
/// another shard count) has its keys re-homed to their hash slots' shards before the node serves.
/// </summary>
public sealed class KeyspaceMigrationTests(ITestOutputHelper output)
{
    // Written by the release before hash slots (XxHash3 mod 4 shards): key:0..199 = value-0..199,
    // {user:7}:name and {user:7}:mail, session:1 expiring 2100-01-01, short:1 long expired.
    private static readonly string LegacyFixture = Path.Combine(AppContext.BaseDirectory, "fixtures", "legacy-xxhash3-4-shards");

    [Fact(Timeout = Limits.TestTimeoutMs)]
    public async Task A_data_dir_of_the_release_before_hash_slots_should_be_rehomed_once_and_keep_every_key()
    {
        using var budget = Limits.TestBudget();
        var ct = budget.Token;
        using var directory = new TempDirectory();
        var data = CopyFixture(directory.Combine("data"));

        await using (var node = AegisProcess.StartNode(data, Limits.NodeFlags))
        {
            await node.WaitUntilReadyAsync(Limits.Startup, ct);
            var line = Assert.Single(node.StandardOutput.Split('\n'), l => l.Contains("Re-homed keys to hash slots", StringComparison.Ordinal));
            output.WriteLine(line);
            Assert.Contains("of 204 keys", line, StringComparison.Ordinal);
            await AssertFixtureKeysAsync(node.ClientPort);
            node.Terminate();
            Assert.Equal(0, await node.WaitForExitAsync(Limits.Command, ct));
        }

        var layout = await File.ReadAllTextAsync(Path.Combine(data, "keyspace"), ct);
        Assert.Contains("scheme=crc16-slots", layout, StringComparison.Ordinal);
        Assert.Contains("shards=8", layout, StringComparison.Ordinal);

        await using (var again = AegisProcess.StartNode(data, Limits.NodeFlags))
        {
            await again.WaitUntilReadyAsync(Limits.Startup, ct);
            Assert.DoesNotContain("Re-homing", again.StandardOutput, StringComparison.Ordinal);
            await AssertFixtureKeysAsync(again.ClientPort);
        }
    }

    [Fact(Timeout = Limits.TestTimeoutMs)]
    public async Task A_node_started_with_another_shard_count_should_rehome_its_keys()
    {
        using var budget = Limits.TestBudget();
        var ct = budget.Token;
        using var directory = new TempDirectory();
        var data = CopyFixture(directory.Combine("data"));
        foreach (var shards in new[] { "8", "3" })
        {
            // In write mode re-homing waits for the WAL's fsync before it records the new layout.
            await using var node = AegisProcess.StartNode(data, ["--shards", shards, "--wal", "write"]);
            await node.WaitUntilReadyAsync(Limits.Startup, ct);
            Assert.Contains("Re-homed keys to hash slots", node.StandardOutput, StringComparison.Ordinal);
            await AssertFixtureKeysAsync(node.ClientPort);
            node.Terminate();
            Assert.Equal(0, await node.WaitForExitAsync(Limits.Command, ct));
        }
    }

    [Fact(Timeout = Limits.TestTimeoutMs)]
    public async Task An_unknown_key_scheme_should_be_refused_in_one_line()
    {
        using var budget = Limits.TestBudget();
        using var directory = new TempDirectory();
        var data = CopyFixture(directory.Combine("data"));
        await File.WriteAllTextAsync(Path.Combine(data, "keyspace"), "scheme=jump-hash\nshards=8\n", budget.Token);

        await using var node = AegisProcess.StartNode(data, Limits.NodeFlags);
        Assert.Equal(1, await node.WaitForExitAsync(Limits.Command, budget.Token));
        var line = Assert.Single(node.StandardErrorLines);
        Assert.Contains("key scheme 'jump-hash' is unknown", line, StringComparison.Ordinal);
    }

    [Fact(Timeout = Limits.TestTimeoutMs)]
    public async Task A_node_joining_a_cluster_should_refuse_to_rehome_keys()
    {
        using var budget = Limits.TestBudget();
        using var directory = new TempDirectory();
        var data = CopyFixture(directory.Combine("data"));

        await using var node = AegisProcess.StartNode(data, [.. Limits.NodeFlags, "--seeds", "127.0.0.1:" + FreePorts.Take()]);
        Assert.Equal(1, await node.WaitForExitAsync(Limits.Command, budget.Token));
        var line = Assert.Single(node.StandardErrorLines);
        Assert.Contains("start this node once without --seeds", line, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(data, "keyspace")));
    }

    private static string CopyFixture(string target)
    {
        foreach (var file in Directory.EnumerateFiles(LegacyFixture, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(target, Path.GetRelativePath(LegacyFixture, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }

        // A node refuses a data directory other users can read.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return target;
    }

    private static async Task AssertFixtureKeysAsync(int port)
    {
        await using var redis = await RedisClient.ConnectAsync(port);
        var db = redis.GetDatabase();
        var keys = Enumerable.Range(0, 200).Select(i => (RedisKey)("key:" + i)).ToArray();
        var values = await db.StringGetAsync(keys);
        for (var i = 0; i < keys.Length; i++) Assert.Equal("value-" + i, values[i]);
        Assert.Equal("ada", await db.StringGetAsync("{user:7}:name"));
        Assert.Equal("ada@example.org", await db.StringGetAsync("{user:7}:mail"));
        Assert.Equal("alive", await db.StringGetAsync("session:1"));
        Assert.InRange((await db.KeyTimeToLiveAsync("session:1"))!.Value, TimeSpan.FromDays(365 * 50), TimeSpan.FromDays(365 * 80));
        Assert.False(await db.KeyExistsAsync("short:1"));
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        Assert.Equal(203, server.Keys(pattern: "*").Count());
    }
}
