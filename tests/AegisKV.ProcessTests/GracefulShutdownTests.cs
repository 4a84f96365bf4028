using System.Diagnostics;
using System.Text;
using Xunit.Abstractions;

namespace AegisKV.ProcessTests;

/// <summary>SIGTERM: stop accepting, drain the connections, flush, exit 0; nothing acknowledged is lost.</summary>
public sealed class GracefulShutdownTests(ITestOutputHelper output)
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);
    private static readonly string[] Flags = [.. Limits.NodeFlags, "--drain-timeout", "10s"];

    [Fact(Timeout = Limits.TestTimeoutMs)]
    public async Task SIGTERM_should_exit_with_code_0_within_the_drain_timeout_and_keep_the_data_written_before()
    {
        using var budget = Limits.TestBudget();
        var ct = budget.Token;
        using var directory = new TempDirectory();
        var dataDirectory = directory.Combine("data");
        var written = Enumerable.Range(0, 100).ToDictionary(i => $"graceful:{i}", i => $"value-{i}");

        await using (var node = AegisProcess.StartNode(dataDirectory, Flags))
        {
            await node.WaitUntilReadyAsync(Limits.Startup, ct);
            // The client stays connected, idle, while the node shuts down: it must not hold the shutdown up.
            await using var redis = await RedisClient.ConnectAsync(node.ClientPort);
            var db = redis.GetDatabase();
            var sets = await Task.WhenAll(written.Select(kv => db.StringSetAsync(kv.Key, kv.Value))).WaitAsync(ct);
            Assert.All(sets, Assert.True);

            var clock = Stopwatch.StartNew();
            node.Terminate();
            var exitCode = await node.WaitForExitAsync(DrainTimeout, ct);
            output.WriteLine($"SIGTERM to exit: {clock.ElapsedMilliseconds} ms, exit code {exitCode}");
            Assert.True(exitCode == 0, $"exit code {exitCode} after SIGTERM, expected 0\n{node.Describe()}");
        }

        await using (var node = AegisProcess.StartNode(dataDirectory, Flags))
        {
            await node.WaitUntilReadyAsync(Limits.Startup, ct);
            await using var redis = await RedisClient.ConnectAsync(node.ClientPort);
            var db = redis.GetDatabase();
            foreach (var (key, value) in written)
            {
                var found = await db.StringGetAsync(key).WaitAsync(ct);
                Assert.True(found == value, $"{key}: expected '{value}', found {(found.HasValue ? $"'{found}'" : "nothing")} after the restart\n{node.Describe()}");
            }
        }
    }

    // What is guaranteed: every reply that arrives is a whole +OK for the next request in order; every request the
    // node has executed has its reply delivered (it drains: finishes what it has read, flushes, then closes); the
    // connection ends with end of stream, not a reset; the node exits 0; every SET whose +OK arrived survives a
    // restart. How many requests the node had read when SIGTERM came is timing, so that count is only reported.
    [Fact(Timeout = Limits.TestTimeoutMs)]
    public async Task SIGTERM_with_pipelined_requests_in_flight_should_still_deliver_their_replies_and_end_the_connection_cleanly()
    {
        const int requests = 1000;
        using var budget = Limits.TestBudget();
        var ct = budget.Token;
        using var directory = new TempDirectory();
        var dataDirectory = directory.Combine("data");
        int answered, exitCode;
        string rest, firstRun;
        Exception? connectionError;

        await using (var node = AegisProcess.StartNode(dataDirectory, Flags))
        {
            await node.WaitUntilReadyAsync(Limits.Startup, ct);
            await using var connection = await RespConnection.ConnectAsync(node.ClientPort, ct);
            var pong = await connection.ExecuteAsync(ct, "PING");
            Assert.True(pong is { Type: '+', Text: "PONG" }, $"PING answered {pong}\n{node.Describe()}");

            var pipeline = new MemoryStream();
            for (var i = 0; i < requests; i++) pipeline.Write(RespConnection.Command("SET", $"pipelined:{i}", $"value-{i}"));
            await connection.SendAsync(pipeline.ToArray(), ct);
            node.Terminate();

            (var received, connectionError) = await connection.ReadUntilClosedAsync(ct);
            exitCode = await node.WaitForExitAsync(DrainTimeout, ct);
            firstRun = node.Describe();
            answered = CountOkReplies(received, out rest);
        }

        await using (var node = AegisProcess.StartNode(dataDirectory, Flags))
        {
            await node.WaitUntilReadyAsync(Limits.Startup, ct);
            await using var redis = await RedisClient.ConnectAsync(node.ClientPort);
            var db = redis.GetDatabase();
            var values = await Task.WhenAll(Enumerable.Range(0, requests).Select(i => db.StringGetAsync($"pipelined:{i}"))).WaitAsync(ct);
            var present = Enumerable.Range(0, requests).Where(i => values[i] == $"value-{i}").ToHashSet();
            var lost = Enumerable.Range(0, answered).Where(i => !present.Contains(i)).ToList();
            var unanswered = present.Where(i => i >= answered).Order().ToList();
            var summary = $"{answered} of {requests} pipelined SETs answered +OK, then the connection {(connectionError is null ? "ended (end of stream)" : $"failed: {connectionError.Message}")}; " +
                          $"exit code {exitCode}; after the restart {present.Count} of the keys are present ({lost.Count} acknowledged but lost, {unanswered.Count} written without their reply arriving)";
            output.WriteLine(summary);
            var logs = $"\n--- first run ---\n{firstRun}\n--- after restart ---\n{node.Describe()}";

            Assert.True(rest.Length == 0, $"{summary}\nafter the {answered} +OK replies the node sent something else: \"{Escape(rest)}\"{logs}");
            Assert.True(exitCode == 0, $"{summary}\nexit code {exitCode} after SIGTERM, expected 0{logs}");
            Assert.True(lost.Count == 0, $"{summary}\nacknowledged but missing: pipelined:{string.Join(", pipelined:", lost.Take(10))}{logs}");
            Assert.True(unanswered.Count == 0,
                $"{summary}\nthe node executed requests whose replies never arrived, e.g. pipelined:{string.Join(", pipelined:", unanswered.Take(10))}{logs}");
            Assert.True(connectionError is null, $"{summary}\nthe connection was not closed cleanly: {connectionError}{logs}");
        }
    }

    // A client that sends and never reads holds replies the node cannot deliver: SIGTERM must still end
    // the process soon after the drain timeout, cutting that client off.
    [Fact(Timeout = Limits.TestTimeoutMs)]
    public async Task SIGTERM_should_end_the_process_within_the_drain_timeout_even_with_a_client_that_does_not_read()
    {
        using var budget = Limits.TestBudget();
        var ct = budget.Token;
        using var directory = new TempDirectory();
        await using var node = AegisProcess.StartNode(directory.Combine("data"), [.. Limits.NodeFlags, "--drain-timeout", "2s"]);
        await node.WaitUntilReadyAsync(Limits.Startup, ct);
        await using var connection = await RespConnection.ConnectAsync(node.ClientPort, ct);
        Assert.Equal(new RespReply('+', "OK"), await connection.ExecuteAsync(ct, "SET", "big", new string('v', 1 << 20)));

        // 300 MB of replies asked for, none read: the node's sends block once the socket buffers are full.
        var gets = new MemoryStream();
        for (var i = 0; i < 300; i++) gets.Write(RespConnection.Command("GET", "big"));
        await connection.SendAsync(gets.ToArray(), ct);
        await Task.Delay(500, ct);

        var clock = Stopwatch.StartNew();
        node.Terminate();
        var exitCode = await node.WaitForExitAsync(TimeSpan.FromSeconds(20), ct);
        output.WriteLine($"SIGTERM to exit with a client that does not read: {clock.ElapsedMilliseconds} ms, exit code {exitCode}");
        Assert.True(exitCode == 0, $"exit code {exitCode}\n{node.Describe()}");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(12), $"the node took {clock.Elapsed.TotalSeconds:F1} s to stop with --drain-timeout 2s\n{node.Describe()}");
    }

    private static int CountOkReplies(byte[] received, out string rest)
    {
        var ok = "+OK\r\n"u8;
        var span = received.AsSpan();
        var count = 0;
        while (span.StartsWith(ok))
        {
            span = span[ok.Length..];
            count++;
        }

        rest = Encoding.UTF8.GetString(span[..Math.Min(span.Length, 200)]);
        return count;
    }

    private static string Escape(string text) => text.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
