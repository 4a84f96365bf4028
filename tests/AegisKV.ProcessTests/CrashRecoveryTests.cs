using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using Xunit.Abstractions;

namespace AegisKV.ProcessTests;

/// <summary>SIGKILL in the middle of a write load, then recovery from the WAL on the same data directory.</summary>
public sealed class CrashRecoveryTests(ITestOutputHelper output)
{
    private const int Writers = 8;
    private const int MinimumAcknowledged = 200;
    private static readonly TimeSpan LoadDuration = TimeSpan.FromSeconds(2.5);

    [Fact(Timeout = Limits.TestTimeoutMs)]
    public async Task Killing_a_node_under_write_load_should_lose_no_acknowledged_write()
    {
        using var budget = Limits.TestBudget();
        var ct = budget.Token;
        using var directory = new TempDirectory();
        var dataDirectory = directory.Combine("data");
        var acknowledged = new ConcurrentDictionary<string, string>();
        WriterResult[] writers;
        string firstRun;

        await using (var node = AegisProcess.StartNode(dataDirectory, ["--shards", "8", "--wal=fsync"]))
        {
            await node.WaitUntilReadyAsync(Limits.Startup, ct);
            var load = Enumerable.Range(0, Writers).Select(w => Task.Run(() => WriteUntilCutOffAsync(node.ClientPort, w, acknowledged, ct), ct)).ToArray();
            await Task.Delay(LoadDuration, ct);
            var killedAt = Stopwatch.GetTimestamp();
            node.Kill();
            await node.WaitForExitAsync(Limits.Reap, ct);
            writers = await Task.WhenAll(load).WaitAsync(TimeSpan.FromSeconds(15), ct);
            firstRun = node.Describe();
            var early = writers.Where(w => w.EndedAt < killedAt).ToList();
            Assert.True(early.Count == 0,
                $"writers stopped before the kill: {string.Join("; ", early.Select(w => $"writer {w.Writer}: {w.Ending}"))}\n{firstRun}");
        }

        var errors = writers.Sum(w => w.ErrorReplies);
        output.WriteLine($"{Writers} writers, {LoadDuration.TotalSeconds} s of load: {acknowledged.Count} SETs acknowledged, {errors} error replies");
        foreach (var writer in writers) output.WriteLine($"  writer {writer.Writer}: {writer.Acknowledged} acknowledged, ended by {writer.Ending}");

        await using (var node = AegisProcess.StartNode(dataDirectory, ["--shards", "8", "--wal=fsync"]))
        {
            var restart = Stopwatch.StartNew();
            await node.WaitUntilReadyAsync(Limits.Startup, ct);
            output.WriteLine($"restarted and ready in {restart.ElapsedMilliseconds} ms: {node.StandardOutput.Split('\n').LastOrDefault(l => l.Contains("Ready:", StringComparison.Ordinal))}");

            var lost = new List<string>();
            await using (var redis = await RedisClient.ConnectAsync(node.ClientPort))
            {
                var db = redis.GetDatabase();
                var keys = acknowledged.Keys.ToArray();
                var reads = keys.Select(k => db.StringGetAsync(k)).ToArray();
                var values = await Task.WhenAll(reads).WaitAsync(TimeSpan.FromSeconds(30), ct);
                for (var i = 0; i < keys.Length; i++)
                    if (values[i] != acknowledged[keys[i]])
                        lost.Add($"{keys[i]}: expected '{acknowledged[keys[i]]}', found {(values[i].HasValue ? $"'{values[i]}'" : "nothing")}");
            }

            var found = acknowledged.Count - lost.Count;
            output.WriteLine($"acknowledged {acknowledged.Count}, found {found}, lost {lost.Count}");
            Assert.True(lost.Count == 0,
                $"acknowledged {acknowledged.Count}, found {found}, lost {lost.Count}; first lost: {string.Join("; ", lost.Take(10))}\n" +
                $"--- first run ---\n{firstRun}\n--- after restart ---\n{node.Describe()}");
            Assert.True(acknowledged.Count >= MinimumAcknowledged,
                $"only {acknowledged.Count} SETs were acknowledged in {LoadDuration.TotalSeconds} s (expected at least {MinimumAcknowledged})\n{firstRun}");
            Assert.True(errors == 0, $"{errors} SETs got an error reply\n{firstRun}");
        }
    }

    // One connection, one SET at a time; a key counts as acknowledged only once its whole "+OK\r\n" has arrived.
    // Runs until the connection breaks (the kill) and says when and why it stopped.
    private static async Task<WriterResult> WriteUntilCutOffAsync(int port, int writer, ConcurrentDictionary<string, string> acknowledged, CancellationToken ct)
    {
        var count = 0;
        var errors = 0;
        try
        {
            await using var connection = await RespConnection.ConnectAsync(port, ct);
            for (var i = 0; ; i++)
            {
                var key = $"crash:{writer}:{i}";
                var value = $"value-{writer}-{i}-{Guid.NewGuid():N}";
                var reply = await connection.ExecuteAsync(ct, "SET", key, value);
                if (reply is { Type: '+', Text: "OK" })
                {
                    acknowledged[key] = value;
                    count++;
                }
                else
                {
                    errors++;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or EndOfStreamException or OperationCanceledException)
        {
            return new WriterResult(writer, count, errors, Stopwatch.GetTimestamp(), $"{e.GetType().Name}: {e.Message}");
        }
    }

    private sealed record WriterResult(int Writer, int Acknowledged, int ErrorReplies, long EndedAt, string Ending);
}
