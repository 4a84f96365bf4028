using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace AegisKV.IntegrationTests;

/// <summary>EVAL and kin on a real node, beside redis-server 7 where one is installed: the same lines, the same bytes back.</summary>
public sealed class ScriptingTests(SharedNode node) : IClassFixture<SharedNode>
{
    private int Port => node.Port;

    private Task<string> Session(string input) => RawClient.SessionAsync(Port, input);

    private const string RedisServer = "/usr/bin/redis-server";

    // Each line as redis-cli would send it; keys in one slot so the cluster rules allow them.
    private static readonly string[] SameAsRedis =
    [
        "EVAL \"return redis.call('SET', KEYS[1], ARGV[1])\" 1 {s}k v",
        "EVAL \"return redis.call('GET', KEYS[1])\" 1 {s}k",
        "SET {s}text x",
        "EVAL \"return redis.call('INCR', KEYS[1])\" 1 {s}text",
        "EVAL \"local v = redis.call('GET', KEYS[1])\nreturn redis.call('INCR', KEYS[1])\" 1 {s}text",
        "EVAL \"return redis.pcall('INCR', KEYS[1])\" 1 {s}text",
        "EVAL \"return redis.error_reply('My Error')\" 0",
        "EVAL \"return {err='My Error'}\" 0",
        "EVAL \"return redis.status_reply('FINE')\" 0",
        "EVAL \"return nosuch\" 0",
        "EVAL \"x = 1\" 0",
        "EVAL \"error('boom')\" 0",
        "EVAL \"return redis.call('nosuch')\" 0",
        "EVAL \"return redis.call('SET', KEYS[1])\" 1 {s}k",
        "EVAL_RO \"return redis.call('SET', KEYS[1], 'x')\" 1 {s}k",
        "EVAL \"return {1, 2, 3.7, 'x', nil, 4}\" 0",
        "EVAL \"return {true, false, {ok='a'}, {err='b'}}\" 0",
        "EVAL \"return redis.call('HGETALL', KEYS[1])\" 1 {s}none",
        "EVAL \"return redis.call('GET', KEYS[1])\" 1 {s}none",
        "EVAL \"return redis.sha1hex('')\" 0",
        "EVAL \"return #ARGV .. ':' .. ARGV[2]\" 1 {s}k a b",
        "EVAL \"return redis.call('PING')\" 0",
        "EVAL \"return type(os) .. type(io)\" 0",
        "EVALSHA ffffffffffffffffffffffffffffffffffffffff 0",
        "SCRIPT LOAD \"return 'loaded'\"",
        "EVALSHA b534286061d4b9e4026607613b95c06c06015ae8 0",
        "SCRIPT EXISTS b534286061d4b9e4026607613b95c06c06015ae8 ffffffffffffffffffffffffffffffffffffffff",
        "EVAL \"return 1\" -1",
        "EVAL \"return 1\" 3 a",
        "SCRIPT KILL",
    ];

    [SkippableFact]
    public async Task Scripts_and_their_errors_should_answer_as_redis_7_does()
    {
        Skip.IfNot(File.Exists(RedisServer), $"{RedisServer} is not installed (apt-get install redis-server)");
        var port = FreePort();
        using var redis = Process.Start(new ProcessStartInfo(RedisServer, $"--port {port} --bind 127.0.0.1 --save \"\" --appendonly no")
        {
            RedirectStandardOutput = true,
        })!;
        try
        {
            await WaitForPortAsync(port);
            var input = string.Join("", SameAsRedis.Select(line => Resp(line)));
            var expected = await RawClient.SessionAsync(port, input);
            Assert.StartsWith("+OK", expected);
            Assert.Equal(expected, await Session(input));
        }
        finally
        {
            redis.Kill();
        }
    }

    [Fact]
    public async Task A_script_should_be_journaled_as_its_writes_and_run_atomically()
    {
        await using var client = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{Port}");
        var db = client.GetDatabase();
        const string Script = "redis.call('HSET', KEYS[1], 'a', ARGV[1]) redis.call('EXPIRE', KEYS[1], 100) return redis.call('HLEN', KEYS[1])";
        Assert.Equal(1, (long)await db.ScriptEvaluateAsync(Script, ["{h}k"], ["1"]));
        var ttl = await db.KeyTimeToLiveAsync("{h}k");
        Assert.InRange(ttl!.Value.TotalSeconds, 90, 100);
        // StackExchange.Redis sends EVALSHA first and falls back to EVAL on NOSCRIPT.
        var prepared = LuaScript.Prepare("return redis.call('GET', @key)");
        await db.StringSetAsync("{h}p", "value");
        Assert.Equal("value", (string?)await db.ScriptEvaluateAsync(prepared, new { key = (RedisKey)"{h}p" }));
        Assert.Equal("-CROSSSLOT Keys in request don't hash to the same slot\r\n", await Session(Resp("EVAL \"return 1\" 2 a b")));
    }

    // redis-cli's quoting: words, or "…" with \n inside.
    private static string Resp(string line)
    {
        var words = new List<string>();
        for (var i = 0; i < line.Length;)
        {
            if (line[i] == ' ')
            {
                i++;
                continue;
            }

            if (line[i] == '"')
            {
                var end = line.IndexOf('"', i + 1);
                words.Add(line[(i + 1)..end].Replace("\\n", "\n"));
                i = end + 1;
            }
            else
            {
                var end = line.IndexOf(' ', i);
                if (end < 0) end = line.Length;
                words.Add(line[i..end]);
                i = end;
            }
        }

        return $"*{words.Count}\r\n" + string.Concat(words.Select(w => $"${System.Text.Encoding.UTF8.GetByteCount(w)}\r\n{w}\r\n"));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task WaitForPortAsync(int port)
    {
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var probe = await RawClient.ConnectAsync(port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new TimeoutException($"redis-server did not listen on {port}");
    }
}
