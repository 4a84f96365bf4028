using System.Text.RegularExpressions;

namespace AegisKV.IntegrationTests;

/// <summary>MONITOR, CLIENT LIST/KILL, SLOWLOG, CONFIG SET, INFO and COMMAND GETKEYS, as an operator uses them.</summary>
public sealed class IntrospectionTests : NodeTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task MONITOR_should_show_every_command_with_time_and_client_and_redact_AUTH()
    {
        using var monitor = await RawClient.ConnectAsync(Port);
        await monitor.SendAsync("MONITOR\r\n");
        Assert.Equal("+OK\r\n", await monitor.ReceiveAsync(5, Wait));
        using var client = await RawClient.ConnectAsync(Port);
        await client.SendAsync("SET mon:k \"a b\"\r\nAUTH secret\r\n");
        await client.ReceiveAsync(5, Wait);
        var first = await ReadLineAsync(monitor);
        var second = await ReadLineAsync(monitor);
        var address = Regex.Escape(client.Socket.LocalEndPoint!.ToString()!);
        Assert.Matches($@"^\+\d{{10}}\.\d{{6}} \[0 {address}\] ""SET"" ""mon:k"" ""a b""$", first);
        Assert.Matches($@"^\+\d{{10}}\.\d{{6}} \[0 {address}\] ""AUTH"" ""\(redacted\)""$", second);
    }

    [Fact]
    public async Task CLIENT_LIST_should_show_each_connection_and_CLIENT_KILL_should_close_one()
    {
        using var victim = await RawClient.ConnectAsync(Port);
        await victim.SendAsync("CLIENT SETNAME victim\r\nCLIENT ID\r\n");
        var answer = await victim.ReceiveAsync(5 + 4, Wait);
        var id = Regex.Match(answer, @":(\d+)").Groups[1].Value;
        using var admin = await RawClient.ConnectAsync(Port);
        await admin.SendAsync("CLIENT LIST\r\n");
        var list = await admin.ReceiveBulkAsync(Wait);
        Assert.Matches($@"(^|\n)id={id} addr=\S+ laddr=\S+ fd=-1 name=victim age=\d+ idle=\d+ flags=N db=0 .* cmd=client user=default redir=-1 resp=2 lib-name= lib-ver=\n", list);
        Assert.Equal(2, list.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        // In MULTI with one command queued: flags=x multi=1.
        await victim.SendAsync("MULTI\r\nSET k v\r\n");
        Assert.Equal("+OK\r\n+QUEUED\r\n", await victim.ReceiveAsync(14, Wait));
        await admin.SendAsync("CLIENT LIST ID " + id + "\r\n");
        Assert.Matches(@"flags=x db=0 sub=0 psub=0 ssub=0 multi=1 ", await admin.ReceiveBulkAsync(Wait));

        await admin.SendAsync($"CLIENT KILL ID {id}\r\nCLIENT KILL ID {id}\r\n");
        Assert.Equal(":1\r\n:0\r\n", await admin.ReceiveAsync(8, Wait));
        var (_, closed) = await victim.ReceiveUntilClosedAsync(Wait);
        Assert.True(closed, "the killed connection stayed open");
    }

    [Fact]
    public async Task CONFIG_RESETSTAT_should_zero_what_INFO_counts()
    {
        await Session("STRLEN resetstat:k\r\nHGET resetstat:k\r\n");
        Assert.Contains("cmdstat_strlen:calls=", await Session("INFO commandstats\r\n"));

        Assert.Equal("+OK\r\n", await Session("CONFIG RESETSTAT\r\n"));

        var info = await Session("INFO commandstats\r\n");
        Assert.DoesNotContain("cmdstat_strlen:", info);
        Assert.StartsWith("-ERR CONFIG REWRITE is not supported", await Session("CONFIG REWRITE\r\n"));
    }

    [Fact]
    public async Task INFO_commandstats_should_count_every_command_of_a_pipeline_and_each_that_failed()
    {
        await Session("SET {stats}:k value\r\nHSET {stats}:h f v\r\n");
        var before = CommandStats(await Session("INFO commandstats\r\n"), "getrange");

        // Twelve alike (counted together), then three that mix a WRONGTYPE in (counted one by one): one shard's batches.
        var alike = string.Concat(Enumerable.Repeat("GETRANGE {stats}:k 0 1\r\n", 12));
        Assert.Equal(string.Concat(Enumerable.Repeat("$2\r\nva\r\n", 12)), await Session(alike));
        var mixed = await Session("GETRANGE {stats}:k 0 1\r\nGETRANGE {stats}:h 0 1\r\nGETRANGE {stats}:h 0 1\r\n");
        Assert.StartsWith("$2\r\nva\r\n-WRONGTYPE", mixed);

        var after = CommandStats(await Session("INFO commandstats\r\n"), "getrange");
        Assert.Equal((before.Calls + 15, before.Failed + 2), (after.Calls, after.Failed));
    }

    private static (long Calls, long Failed) CommandStats(string info, string command)
    {
        var match = Regex.Match(info, $@"cmdstat_{command}:calls=(\d+),.*failed_calls=(\d+)");
        return match.Success ? (long.Parse(match.Groups[1].Value), long.Parse(match.Groups[2].Value)) : (0, 0);
    }

    [Fact]
    public async Task SLOWLOG_should_log_commands_past_the_threshold_set_by_CONFIG_SET()
    {
        Assert.Equal("+OK\r\n+OK\r\n", await Session("CONFIG SET slowlog-log-slower-than 0\r\nSLOWLOG RESET\r\n"));
        await Session("SET slow:k value\r\n");
        var log = await Session("SLOWLOG GET 1\r\nSLOWLOG LEN\r\n");
        Assert.Matches(@"^\*1\r\n\*6\r\n:\d+\r\n:\d{10}\r\n:\d+\r\n\*3\r\n\$3\r\nset\r\n\$6\r\nslow:k\r\n\$5\r\nvalue\r\n\$\d+\r\n127\.0\.0\.1:\d+\r\n\$0\r\n\r\n:\d+\r\n$", log);
        Assert.Equal("+OK\r\n+OK\r\n:0\r\n", await Session("CONFIG SET slowlog-log-slower-than -1\r\nSLOWLOG RESET\r\nSLOWLOG LEN\r\n"));
        await Session("SET slow:k again\r\n");
        Assert.Equal(":0\r\n", await Session("SLOWLOG LEN\r\n"));
    }

    [Theory]
    [InlineData("CONFIG SET maxmemory-policy allkeys-lfu maxmemory 100mb\r\nCONFIG GET maxmemory*\r\n",
        "+OK\r\n*6\r\n$9\r\nmaxmemory\r\n$9\r\n104857600\r\n$16\r\nmaxmemory-policy\r\n$11\r\nallkeys-lfu\r\n$17\r\nmaxmemory-samples\r\n$1\r\n5\r\n")]
    [InlineData("CONFIG SET maxmemory-policy sometimes\r\n",
        "-ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s) must be one of the following: noeviction, allkeys-lru, allkeys-lfu, allkeys-random, volatile-lru, volatile-lfu, volatile-random, volatile-ttl\r\n")]
    [InlineData("CONFIG SET port 7\r\n",
        "-ERR CONFIG SET 'port' cannot change while AegisKV runs: set it with its flag, AEGIS_* variable or the --config file and restart\r\n")]
    [InlineData("CONFIG SET no-such-thing 1\r\n", "-ERR Unknown option or number of arguments for CONFIG SET - 'no-such-thing'\r\n")]
    // All or nothing: one bad pair leaves the good one unapplied.
    [InlineData("CONFIG SET maxmemory-samples 7 maxmemory-policy x\r\nCONFIG GET maxmemory-samples\r\n",
        "-ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s) must be one of the following: noeviction, allkeys-lru, allkeys-lfu, allkeys-random, volatile-lru, volatile-lfu, volatile-random, volatile-ttl\r\n*2\r\n$17\r\nmaxmemory-samples\r\n$1\r\n5\r\n")]
    [InlineData("COMMAND GETKEYS MSET a 1 b 2\r\nCOMMAND GETKEYS GET\r\nCOMMAND GETKEYS PING\r\n",
        "*2\r\n$1\r\na\r\n$1\r\nb\r\n-ERR Invalid number of arguments specified for command\r\n-ERR The command has no key arguments\r\n")]
    [InlineData("COMMAND GETKEYSANDFLAGS SET k v\r\n", "*1\r\n*2\r\n$1\r\nk\r\n*2\r\n+OW\r\n+update\r\n")]
    [InlineData("COMMAND LIST FILTERBY PATTERN slowlog*\r\n", "*5\r\n$7\r\nslowlog\r\n$11\r\nslowlog|get\r\n$12\r\nslowlog|help\r\n$11\r\nslowlog|len\r\n$13\r\nslowlog|reset\r\n")]
    [InlineData("SET o:int 12345\r\nSET o:str hello\r\nOBJECT ENCODING o:int\r\nOBJECT ENCODING o:str\r\nOBJECT ENCODING o:none\r\nMEMORY USAGE o:str\r\n",
        "+OK\r\n+OK\r\n$3\r\nint\r\n$6\r\nembstr\r\n$-1\r\n:106\r\n")]
    public async Task Runtime_settings_and_key_introspection_should_answer_as_Redis(string input, string expected) =>
        Assert.Equal(expected, await Session(input));

    [Fact]
    public async Task INFO_should_have_the_fields_redis_cli_stat_and_operators_read()
    {
        await Session("SET info:k v\r\nGET info:k\r\nGET info:missing\r\nINCR info:k\r\n");
        using var client = await RawClient.ConnectAsync(Port);
        await client.SendAsync("INFO everything\r\n");
        var info = await client.ReceiveBulkAsync(Wait);
        foreach (var field in new[] { "connected_clients:", "blocked_clients:0", "used_memory:", "maxmemory_policy:noeviction", "total_commands_processed:",
                     "total_connections_received:", "instantaneous_ops_per_sec:", "keyspace_hits:1", "keyspace_misses:1", "evicted_keys:0", "used_cpu_user:",
                     "cmdstat_set:calls=1,usec=", "errorstat_ERR:count=1", "db0:keys=1,expires=0", "cluster_enabled:0" })
            Assert.Contains(field, info, StringComparison.Ordinal);
        await client.SendAsync("INFO cpu\r\n");
        var cpu = await client.ReceiveBulkAsync(Wait);
        Assert.StartsWith("# CPU\r\n", cpu, StringComparison.Ordinal);
        Assert.DoesNotContain("# Memory", cpu, StringComparison.Ordinal);
    }

    private static async Task<string> ReadLineAsync(RawClient client)
    {
        var line = new System.Text.StringBuilder();
        while (!line.ToString().EndsWith("\r\n", StringComparison.Ordinal))
        {
            var next = await client.ReceiveAsync(1, Wait);
            if (next.Length == 0) break;
            line.Append(next);
        }

        return line.ToString().TrimEnd('\r', '\n');
    }
}
