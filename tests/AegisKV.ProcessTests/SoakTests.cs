using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace AegisKV.ProcessTests;

/// <summary>
/// Ordinary production life, compressed: pipelined mixed writes and reads, connection churn, large
/// values, keys expiring, snapshots and compaction, all at once for a while. Memory must stay flat
/// after warm-up, nothing may answer an error, and every acknowledged write must be there after a
/// kill -9 at the end. Runs AEGIS_SOAK_SECONDS (30 by default: the smoke in the default test run;
/// <c>dotnet pwsh build.ps1 soak</c> runs it for minutes).
/// </summary>
[Trait("Category", "soak")]
public sealed class SoakTests(ITestOutputHelper output)
{
    private const int Writers = 4;
    private const int SlotsPerWriter = 2_500;
    private const int Pipeline = 16;

    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(
        int.TryParse(Environment.GetEnvironmentVariable("AEGIS_SOAK_SECONDS"), CultureInfo.InvariantCulture, out var seconds) ? seconds : 30);

    [Fact(Timeout = 60 * 60 * 1000)]
    public async Task Mixed_load_with_churn_should_keep_memory_flat_answer_no_errors_and_lose_nothing_acknowledged()
    {
        using var budget = new CancellationTokenSource(Duration + TimeSpan.FromMinutes(3));
        var ct = budget.Token;
        using var directory = new TempDirectory();
        var data = directory.Combine("data");
        var config = directory.Combine("soak.conf");
        // Snapshots every 2,000 events per shard, so snapshots and WAL compaction happen all along.
        await File.WriteAllTextAsync(config, "aegis.shard.snapshot-every = 2000\n", ct);
        string[] flags = [.. Limits.NodeFlags, "--config", config, "--max-memory", "512"];

        var lastAcknowledged = new long[Writers * SlotsPerWriter];
        var lastSent = new long[Writers * SlotsPerWriter];
        var errors = new List<string>();
        long operations = 0, churned = 0;
        var rss = new List<(double Seconds, long Bytes)>();

        await using (var node = AegisProcess.StartNode(data, flags))
        {
            await node.WaitUntilReadyAsync(Limits.Startup, ct);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            stop.CancelAfter(Duration);
            var clock = Stopwatch.StartNew();

            var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(() => WriteAsync(node.ClientPort, w, lastAcknowledged, lastSent, errors, () => Interlocked.Add(ref operations, Pipeline), stop.Token), ct));
            var churn = Task.Run(() => ChurnAsync(node.ClientPort, errors, () => Interlocked.Increment(ref churned), stop.Token), ct);
            var sampler = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    rss.Add((clock.Elapsed.TotalSeconds, node.RssBytes()));
                    await Task.Delay(1000, CancellationToken.None);
                }
            }, ct);
            await Task.WhenAll([.. writers, churn, sampler]);

            var elapsed = clock.Elapsed.TotalSeconds;
            output.WriteLine($"{elapsed:F0} s: {operations:N0} commands ({operations / elapsed:N0}/s) in pipelines of {Pipeline}, {churned:N0} short-lived connections, {errors.Count} errors");
            node.Kill();
            await node.WaitForExitAsync(Limits.Reap, ct);
        }

        // Memory after warm-up: the last third of the run against the middle third.
        var third = rss.Count / 3;
        var middle = rss.Skip(third).Take(third).Max(s => s.Bytes);
        var last = rss.Skip(2 * third).Max(s => s.Bytes);
        output.WriteLine($"RSS (MiB): start {rss[0].Bytes >> 20}, peak of the middle third {middle >> 20}, peak of the last third {last >> 20}; samples {string.Join(" ", rss.Where((_, i) => i % 5 == 0).Select(s => s.Bytes >> 20))}");
        Assert.True(errors.Count == 0, $"{errors.Count} errors, e.g. {string.Join("; ", errors.Take(5))}");
        Assert.True(last <= middle * 1.2 + (64 << 20), $"RSS grew after warm-up: {middle >> 20} MiB in the middle third, {last >> 20} MiB in the last");

        // After kill -9: every slot holds its last acknowledged value, or a later one that was sent.
        await using (var node = AegisProcess.StartNode(data, flags))
        {
            await node.WaitUntilReadyAsync(Limits.Startup, ct);
            await using var client = await RespConnection.ConnectAsync(node.ClientPort, ct);
            var lost = new List<string>();
            long checkedSlots = 0;
            for (var slot = 0; slot < lastAcknowledged.Length; slot++)
            {
                if (lastAcknowledged[slot] == 0) continue;
                checkedSlots++;
                var reply = await client.ExecuteAsync(ct, "GET", $"soak:ack:{slot}");
                var found = reply.Text is null ? 0 : long.Parse(reply.Text, CultureInfo.InvariantCulture);
                if (found < lastAcknowledged[slot] || found > lastSent[slot])
                    lost.Add($"soak:ack:{slot} holds {found}, acknowledged {lastAcknowledged[slot]}, last sent {lastSent[slot]}");
            }

            output.WriteLine($"after kill -9: {checkedSlots:N0} acknowledged slots checked, {lost.Count} lost");
            Assert.True(lost.Count == 0, string.Join("\n", lost.Take(10)));
        }
    }

    // One writer: pipelines mixing acknowledged writes to its own slots, reads, counters, expiring keys and large values.
    private static async Task WriteAsync(int port, int writer, long[] acknowledged, long[] sent, List<string> errors, Action counted, CancellationToken stop)
    {
        await using var connection = await RespConnection.ConnectAsync(port, CancellationToken.None);
        var random = new Random(writer);
        var big = new string('b', 256 * 1024);
        long sequence = 0;
        var pending = new (int Slot, long Value)[Pipeline];
        while (!stop.IsCancellationRequested)
        {
            using var batch = new MemoryStream();
            for (var i = 0; i < Pipeline; i++)
            {
                pending[i] = (-1, 0);
                var pick = random.Next(100);
                if (pick < 40)
                {
                    var slot = writer * SlotsPerWriter + random.Next(SlotsPerWriter);
                    var value = ++sequence;
                    sent[slot] = value;
                    pending[i] = (slot, value);
                    batch.Write(RespConnection.Command("SET", $"soak:ack:{slot}", value.ToString(CultureInfo.InvariantCulture)));
                }
                else if (pick < 65) batch.Write(RespConnection.Command("GET", $"soak:ack:{writer * SlotsPerWriter + random.Next(SlotsPerWriter)}"));
                else if (pick < 80) batch.Write(RespConnection.Command("INCR", $"soak:ctr:{random.Next(100)}"));
                else if (pick < 95) batch.Write(RespConnection.Command("SET", $"soak:ttl:{random.Next(5_000)}", "expiring", "PX", random.Next(200, 2_000).ToString(CultureInfo.InvariantCulture)));
                else if (pick < 99) batch.Write(RespConnection.Command("DEL", $"soak:ttl:{random.Next(5_000)}"));
                else batch.Write(RespConnection.Command("SET", $"soak:big:{writer}:{random.Next(10)}", big));
            }

            await connection.SendAsync(batch.ToArray(), CancellationToken.None);
            for (var i = 0; i < Pipeline; i++)
            {
                var reply = await connection.ReadReplyAsync(CancellationToken.None);
                if (reply.Type == '-')
                {
                    lock (errors) errors.Add(reply.ToString());
                    continue;
                }

                if (pending[i].Slot >= 0) acknowledged[pending[i].Slot] = pending[i].Value;
            }

            counted();
        }
    }

    // Connect, PING, close, as short-lived clients do.
    private static async Task ChurnAsync(int port, List<string> errors, Action counted, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            await using var connection = await RespConnection.ConnectAsync(port, CancellationToken.None);
            var reply = await connection.ExecuteAsync(CancellationToken.None, "PING");
            if (reply is not { Type: '+', Text: "PONG" })
                lock (errors) errors.Add("churn: " + reply);
            counted();
        }
    }

}
