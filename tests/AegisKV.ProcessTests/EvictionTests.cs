using System.Diagnostics;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace AegisKV.ProcessTests;

/// <summary>
/// A cache under a write flood of three times --max-memory, on the default shard count: keys are evicted,
/// every write succeeds, used_memory stays at the limit, and RSS stays within twice the limit. The node's own
/// ~100 MiB (runtime, libraries) counts against that, so the limit is one a cache would be given, not a toy one:
/// on this 2-core machine a 512 MiB limit peaked at 893 MiB of RSS (2 KB values; 878 MiB with 1 KB values, at twice
/// the writes and time).
/// </summary>
[Collection(nameof(MemoryFlood))]
public sealed class EvictionTests(ITestOutputHelper output)
{
    private const int MaxMemoryMb = 512;
    private const int ValueBytes = 2000;

    [Fact(Timeout = 300_000)]
    public async Task A_write_flood_past_max_memory_should_evict_and_keep_RSS_within_twice_the_limit()
    {
        using var budget = new CancellationTokenSource(TimeSpan.FromMinutes(4.5));
        var ct = budget.Token;
        using var directory = new TempDirectory();
        string[] flags = ["--wal", "write", "--max-memory", MaxMemoryMb.ToString(), "--eviction-policy", "allkeys-lru"];
        await using var node = AegisProcess.StartNode(directory.Combine("data"), flags);
        await node.WaitUntilReadyAsync(Limits.Startup, ct);
        await using var redis = await RedisClient.ConnectAsync(node.ClientPort);
        var db = redis.GetDatabase();
        await db.PingAsync();
        var idleRss = node.RssBytes();

        // Three times the limit in values, written in pipelined batches; every write must succeed.
        var keys = 3L * MaxMemoryMb * 1024 * 1024 / ValueBytes;
        var value = new byte[ValueBytes];
        var clock = Stopwatch.StartNew();
        for (long written = 0; written < keys; written += 1000)
        {
            var batch = new Task<bool>[1000];
            for (var i = 0; i < batch.Length; i++) batch[i] = db.StringSetAsync("flood:" + (written + i), value);
            foreach (var ok in await Task.WhenAll(batch)) Assert.True(ok);
        }

        var peakRss = node.PeakRssBytes();
        var info = await db.ExecuteAsync("INFO", "stats");
        var memory = await db.ExecuteAsync("INFO", "memory");
        var evicted = Field(info.ToString(), "evicted_keys");
        var used = Field(memory.ToString(), "used_memory");
        output.WriteLine($"{keys} writes of {ValueBytes} B in {clock.Elapsed.TotalSeconds:0.0} s; evicted {evicted}; used_memory {used >> 20} MiB; RSS idle {idleRss >> 20} MiB, peak {peakRss >> 20} MiB (limit {MaxMemoryMb} MiB)");

        Assert.True(evicted > keys / 2, $"only {evicted} of {keys} keys evicted");
        Assert.True(used <= MaxMemoryMb * 1024L * 1024, $"used_memory {used} over the limit");
        Assert.True(peakRss <= 2L * MaxMemoryMb * 1024 * 1024, $"RSS peaked at {peakRss >> 20} MiB, over twice the {MaxMemoryMb} MiB limit");
        var (_, metrics) = await node.GetHealthAsync("/metrics", ct);
        Assert.Contains("aegis_evicted_keys_total", metrics, StringComparison.Ordinal);
    }

    private static long Field(string info, string name)
    {
        foreach (var line in info.Split("\r\n"))
            if (line.StartsWith(name + ":", StringComparison.Ordinal))
                return long.Parse(line[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        throw new InvalidOperationException($"INFO has no {name}");
    }
}

/// <summary>
/// A flood that takes both cores and hundreds of MiB runs alone: beside it, tests that time a shutdown or
/// measure memory would measure the flood.
/// </summary>
[CollectionDefinition(nameof(MemoryFlood), DisableParallelization = true)]
public sealed class MemoryFlood;
