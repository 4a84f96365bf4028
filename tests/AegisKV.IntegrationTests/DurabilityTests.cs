using StackExchange.Redis;

namespace AegisKV.IntegrationTests;

public sealed class DurabilityTests
{
    [Theory]
    [InlineData("fsync")]
    [InlineData("write")]
    public async Task Data_should_survive_a_node_restart(string wal)
    {
        var node = await TestNode.StartAsync(new() { ["wal"] = wal });
        try
        {
            await using (var redis = await ConnectionMultiplexer.ConnectAsync(node.Endpoint))
            {
                var db = redis.GetDatabase();
                for (var i = 0; i < 200; i++) await db.StringSetAsync("durable:" + i, "value" + i, i % 2 == 0 ? TimeSpan.FromHours(1) : null);
                await db.KeyDeleteAsync("durable:7");
            }

            await node.DisposeAsync();
            node = await TestNode.StartAsync(new() { ["wal"] = wal }, node.DataDirectory);
            await using (var redis = await ConnectionMultiplexer.ConnectAsync(node.Endpoint))
            {
                var db = redis.GetDatabase();
                Assert.Equal("value0", await db.StringGetAsync("durable:0"));
                Assert.Equal("value199", await db.StringGetAsync("durable:199"));
                Assert.False((await db.StringGetAsync("durable:7")).HasValue);
                Assert.NotNull(await db.KeyTimeToLiveAsync("durable:2"));
                Assert.Null(await db.KeyTimeToLiveAsync("durable:3"));
                Assert.Equal(199L, (long)await db.ExecuteAsync("DBSIZE"));
            }
        }
        finally
        {
            await node.DisposeAsync();
            node.DeleteData();
        }
    }

    [Fact]
    public async Task Hashes_and_their_field_expiry_should_survive_a_node_restart()
    {
        var node = await TestNode.StartAsync();
        try
        {
            await using (var redis = await ConnectionMultiplexer.ConnectAsync(node.Endpoint))
            {
                var db = redis.GetDatabase();
                for (var i = 0; i < 50; i++) await db.HashSetAsync("user:" + i, [new("name", "n" + i), new("visits", i), new("token", "t")]);
                await db.HashIncrementAsync("user:1", "visits", 10);
                await db.HashDeleteAsync("user:2", "name");
                await db.ExecuteAsync("HEXPIRE", "user:3", "3600", "FIELDS", "1", "token");
                await db.ExecuteAsync("HPEXPIRE", "user:4", "1", "FIELDS", "1", "token");
                await db.KeyRenameAsync("user:5", "{user:5}:renamed");
            }

            await node.DisposeAsync();
            await Task.Delay(10);
            node = await TestNode.StartAsync(null, node.DataDirectory);
            await using (var redis = await ConnectionMultiplexer.ConnectAsync(node.Endpoint))
            {
                var db = redis.GetDatabase();
                Assert.Equal("n0", await db.HashGetAsync("user:0", "name"));
                Assert.Equal(11, (long)await db.HashGetAsync("user:1", "visits"));
                Assert.False(await db.HashExistsAsync("user:2", "name"));
                var ttl = (long[])(await db.ExecuteAsync("HTTL", "user:3", "FIELDS", "1", "token"))!;
                Assert.InRange(ttl[0], 3000, 3600);
                Assert.Equal(2, await db.HashLengthAsync("user:4"));
                Assert.Equal(3, await db.HashLengthAsync("{user:5}:renamed"));
                Assert.False(await db.KeyExistsAsync("user:5"));
                Assert.Equal(RedisType.Hash, await db.KeyTypeAsync("user:0"));
            }
        }
        finally
        {
            await node.DisposeAsync();
            node.DeleteData();
        }
    }

    [Fact]
    public async Task With_wal_off_the_node_should_write_no_files()
    {
        var node = await TestNode.StartAsync(new() { ["wal"] = "off" });
        try
        {
            await using var redis = await ConnectionMultiplexer.ConnectAsync(node.Endpoint);
            await redis.GetDatabase().StringSetAsync("k", "v");
            Assert.Equal("v", await redis.GetDatabase().StringGetAsync("k"));
            Assert.Empty(Directory.EnumerateFiles(node.DataDirectory, "*", SearchOption.AllDirectories));
        }
        finally
        {
            await node.DisposeAsync();
            node.DeleteData();
        }
    }

    [Fact]
    public async Task Writes_past_max_memory_should_get_OOM_while_reads_and_deletes_work()
    {
        var node = await TestNode.StartAsync(new() { ["max-memory"] = "1" });
        try
        {
            await using var redis = await ConnectionMultiplexer.ConnectAsync(node.Endpoint);
            var db = redis.GetDatabase();
            var value = new string('x', 10_000);
            RedisServerException? refused = null;
            for (var i = 0; i < 200 && refused is null; i++)
            {
                try
                {
                    await db.StringSetAsync("big:" + i, value);
                }
                catch (RedisServerException e)
                {
                    refused = e;
                }
            }

            Assert.NotNull(refused);
            Assert.StartsWith("OOM command not allowed", refused.Message);
            Assert.Equal(value, await db.StringGetAsync("big:0"));
            Assert.True(await db.KeyDeleteAsync("big:0"));
        }
        finally
        {
            await node.DisposeAsync();
            node.DeleteData();
        }
    }
}
