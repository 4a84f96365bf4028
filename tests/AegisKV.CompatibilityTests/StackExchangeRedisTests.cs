using System.Net.Http;
using AegisKV.IntegrationTests;
using StackExchange.Redis;

namespace AegisKV.CompatibilityTests;

/// <summary>Every test below, with StackExchange.Redis speaking RESP2.</summary>
public sealed class StackExchangeRedisResp2Tests() : StackExchangeRedisTests(RedisProtocol.Resp2);

/// <summary>Every test below, with StackExchange.Redis speaking RESP3 (HELLO 3).</summary>
public sealed class StackExchangeRedisResp3Tests() : StackExchangeRedisTests(RedisProtocol.Resp3);

/// <summary>A node driven by StackExchange.Redis, the client .NET applications use, as they use it.</summary>
public abstract class StackExchangeRedisTests(RedisProtocol protocol) : IAsyncLifetime
{
    private TestNode _node = null!;
    private ConnectionMultiplexer _redis = null!;

    public async Task InitializeAsync()
    {
        _node = await TestNode.StartAsync();
        _redis = await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions
        {
            EndPoints = { _node.Endpoint },
            Protocol = protocol,
            ConnectTimeout = 10_000,
            SyncTimeout = 10_000,
            AsyncTimeout = 10_000,
        });
    }

    public async Task DisposeAsync()
    {
        await _redis.DisposeAsync();
        await _node.DisposeAsync();
        _node.DeleteData();
    }

    [Fact]
    public void The_client_should_speak_the_protocol_asked_for() =>
        Assert.Equal(protocol, _redis.GetServer(_node.Endpoint).Protocol);

    private IDatabase Db => _redis.GetDatabase();

    [Fact]
    public async Task String_commands_should_round_trip_through_the_client()
    {
        Assert.True(await Db.StringSetAsync("greeting", "hello"));
        Assert.Equal("hello", await Db.StringGetAsync("greeting"));
        Assert.Equal(6, await Db.StringAppendAsync("greeting", "!"));
        Assert.Equal(3, await Db.StringIncrementAsync("counter", 3));
        Assert.Equal(1, await Db.StringDecrementAsync("counter", 2));
        Assert.False((await Db.StringGetAsync("missing")).HasValue);
        Assert.True(await Db.KeyDeleteAsync("greeting"));
        Assert.False(await Db.KeyExistsAsync("greeting"));
    }

    [Fact]
    public async Task Hash_commands_should_round_trip_through_the_client()
    {
        await Db.HashSetAsync("cart", [new("apples", 3), new("pears", 1)]);
        Assert.True(await Db.HashSetAsync("cart", "plums", 7));
        Assert.Equal(3, (long)await Db.HashGetAsync("cart", "apples"));
        Assert.Equal(5, await Db.HashIncrementAsync("cart", "apples", 2));
        Assert.Equal(1.5, await Db.HashIncrementAsync("cart", "weight", 1.5));
        Assert.Equal(4, await Db.HashLengthAsync("cart"));
        var all = (await Db.HashGetAllAsync("cart")).ToDictionary(e => (string)e.Name!, e => (string)e.Value!);
        Assert.Equal(new Dictionary<string, string> { ["apples"] = "5", ["pears"] = "1", ["plums"] = "7", ["weight"] = "1.5" }, all);
        var scanned = new List<string>();
        await foreach (var entry in Db.HashScanAsync("cart", "p*", pageSize: 1)) scanned.Add(entry.Name!);
        Assert.Equal(["pears", "plums"], scanned.Order());
        Assert.True(await Db.HashDeleteAsync("cart", "pears"));
        Assert.Equal(["apples", "plums", "weight"], (await Db.HashKeysAsync("cart")).Select(k => (string)k!).Order());
        Assert.Equal(RedisType.Hash, await Db.KeyTypeAsync("cart"));
        var wrongType = await Assert.ThrowsAsync<RedisServerException>(() => Db.StringGetAsync("cart"));
        Assert.StartsWith("WRONGTYPE", wrongType.Message);
        var scan = _redis.GetServer(_node.Endpoint).KeysAsync(pattern: "*", pageSize: 100);
        Assert.Contains("cart", await scan.Select(k => (string)k!).ToListAsync());
    }

    [Fact]
    public async Task Binary_keys_and_values_should_be_kept_byte_for_byte()
    {
        byte[] key = [0, 1, 2, 13, 10, 255];
        byte[] value = [.. Enumerable.Range(0, 256).Select(i => (byte)i)];
        Assert.True(await Db.StringSetAsync(key, value));
        Assert.Equal(value, (byte[]?)await Db.StringGetAsync(key));
    }

    [Fact]
    public async Task Multi_key_commands_should_span_shards_and_keep_key_order()
    {
        var pairs = Enumerable.Range(0, 40).Select(i => new KeyValuePair<RedisKey, RedisValue>("mk:" + i, "v" + i)).ToArray();
        Assert.True(await Db.StringSetAsync(pairs));
        var values = await Db.StringGetAsync(pairs.Select(p => p.Key).Append("mk:none").ToArray());
        Assert.Equal(pairs.Select(p => (string?)p.Value).Append(null), values.Select(v => (string?)v));
        Assert.Equal(40, await Db.KeyDeleteAsync(pairs.Select(p => p.Key).ToArray()));
    }

    [Fact]
    public async Task Expiry_should_be_reported_and_enforced()
    {
        await Db.StringSetAsync("ttl:k", "v", TimeSpan.FromMilliseconds(300));
        var ttl = await Db.KeyTimeToLiveAsync("ttl:k");
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value.TotalMilliseconds, 1, 300);
        await Task.Delay(400);
        Assert.False((await Db.StringGetAsync("ttl:k")).HasValue);
    }

    [Fact]
    public async Task Pipelined_writes_then_reads_should_see_every_write()
    {
        var batch = Db.CreateBatch();
        var writes = Enumerable.Range(0, 500).Select(i => batch.StringSetAsync("pipe:" + i, i)).ToList();
        var reads = Enumerable.Range(0, 500).Select(i => batch.StringGetAsync("pipe:" + i)).ToList();
        batch.Execute();
        await Task.WhenAll(writes);
        var values = await Task.WhenAll(reads);
        Assert.Equal(Enumerable.Range(0, 500), values.Select(v => (int)v));
    }

    [Fact]
    public async Task Scan_through_the_client_should_visit_every_key()
    {
        var keys = Enumerable.Range(0, 300).Select(i => "scan:" + i).ToArray();
        foreach (var key in keys) await Db.StringSetAsync(key, "x");
        var server = _redis.GetServer(_node.Endpoint);
        var seen = new HashSet<string>();
        await foreach (var key in server.KeysAsync(pattern: "scan:*", pageSize: 25)) seen.Add(key!);
        Assert.Equal(keys.Order(), seen.Order());
    }

    [Fact]
    public async Task Health_endpoints_should_report_a_ready_node()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_node.Node.HealthPort}") };
        // /health also says who the node is and its membership status.
        var health = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync("/health")).RootElement;
        Assert.Equal("healthy", health.GetProperty("status").GetString());
        Assert.Equal("Up", health.GetProperty("member").GetString());
        Assert.StartsWith("it-", health.GetProperty("nodeId").GetString(), StringComparison.Ordinal);
        Assert.Equal("{\"ready\":true}", await http.GetStringAsync("/ready"));
        Assert.Equal("{\"live\":true}", await http.GetStringAsync("/live"));
        await Db.StringSetAsync("metric:k", "v");
        var metrics = await http.GetStringAsync("/metrics");
        Assert.Contains("aegis_commands_total{command=\"set\",result=\"ok\"}", metrics);
        Assert.Contains("aegis_command_duration_seconds_bucket", metrics);
        Assert.Contains("aegis_keys", metrics);
        Assert.Contains("aegis_wal_written_bytes_total", metrics);
        Assert.Contains("aegis_wal_fsync_seconds_bucket", metrics);
    }
}
