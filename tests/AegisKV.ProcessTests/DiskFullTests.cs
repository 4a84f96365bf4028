using System.Diagnostics;
using System.Net;
using Xunit.Abstractions;

namespace AegisKV.ProcessTests;

/// <summary>
/// A full disk under a real node: writes fail at once with an error that says why, reads go on, a
/// refused write is never seen nor restored by a restart, and writes resume by themselves once
/// space is freed. Every acknowledged write survives a kill -9 afterwards.
/// </summary>
public sealed class DiskFullTests(ITestOutputHelper output)
{
    [SkippableFact(Timeout = Limits.TestTimeoutMs)]
    public async Task A_full_disk_should_refuse_writes_fast_serve_reads_and_resume_by_itself_losing_nothing_acknowledged()
    {
        using var budget = Limits.TestBudget();
        var ct = budget.Token;
        using var directory = new TempDirectory();
        using var disk = SmallDisk.TryMount(directory.Combine("disk"), 16, out var why);
        Skip.If(disk is null, why);
        disk.Fill("filler", 4);
        var data = Path.Combine(disk.Path, "data");
        var value = new string('v', 64 * 1024);
        var acknowledged = new List<string>();
        var refused = new List<string>();

        await using (var node = AegisProcess.StartNode(data, Limits.NodeFlags))
        {
            await node.WaitUntilReadyAsync(Limits.Startup, ct);
            await using var client = await RespConnection.ConnectAsync(node.ClientPort, ct);

            // Fill the disk: 64 KiB values until the node refuses one.
            var slowest = TimeSpan.Zero;
            for (var i = 0; refused.Count < 20 && i < 1000; i++)
            {
                var clock = Stopwatch.StartNew();
                var reply = await client.ExecuteAsync(ct, "SET", $"full:{i}", value);
                if (reply is { Type: '+', Text: "OK" })
                {
                    Assert.True(refused.Count == 0, $"full:{i} was written after a refusal, with no space freed\n{node.Describe()}");
                    acknowledged.Add($"full:{i}");
                    continue;
                }

                slowest = clock.Elapsed > slowest ? clock.Elapsed : slowest;
                Assert.True(reply.Type == '-' && reply.Text!.StartsWith("MISCONF WAL not writable (no space left on device)", StringComparison.Ordinal),
                    $"SET full:{i} answered {reply}\n{node.Describe()}");
                refused.Add($"full:{i}");
            }

            output.WriteLine($"{acknowledged.Count} writes acknowledged, then {refused.Count} refused; slowest refusal {slowest.TotalMilliseconds:F0} ms");
            Assert.NotEmpty(acknowledged);
            Assert.Equal(20, refused.Count);
            Assert.True(slowest < TimeSpan.FromSeconds(1), $"a refusal took {slowest.TotalMilliseconds:F0} ms");

            // Reads are served; refused writes are nowhere.
            Assert.Equal(new RespReply(':', "65536"), await client.ExecuteAsync(ct, "STRLEN", acknowledged[^1]));
            Assert.Equal(new RespReply(':', "0"), await client.ExecuteAsync(ct, ["EXISTS", .. refused]));
            var (readyStatus, ready) = await node.GetHealthAsync("/ready", ct);
            var (_, health) = await node.GetHealthAsync("/health", ct);
            output.WriteLine($"while full: /ready {(int)readyStatus} {ready}; /health {health}");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, readyStatus);
            Assert.Contains("degraded: WAL not writable", ready, StringComparison.Ordinal);
            Assert.Contains("\"status\":\"degraded\"", health, StringComparison.Ordinal);

            // Space comes back: writes resume without a restart.
            disk.FreeSpace("filler");
            var resumed = Stopwatch.StartNew();
            RespReply last;
            do
            {
                await Task.Delay(100, ct);
                last = await client.ExecuteAsync(ct, "SET", "after:free", "yes");
            }
            while (last.Type == '-' && resumed.Elapsed < TimeSpan.FromSeconds(20));
            output.WriteLine($"writes resumed {resumed.ElapsedMilliseconds} ms after space was freed: {last}");
            Assert.Equal(new RespReply('+', "OK"), last);
            acknowledged.Add("after:free");
            await node.WaitUntilReadyAsync(TimeSpan.FromSeconds(15), ct);

            node.Kill();
            await node.WaitForExitAsync(Limits.Reap, ct);
        }

        // After kill -9: every acknowledged write is there, no refused one is.
        await using (var node = AegisProcess.StartNode(data, Limits.NodeFlags))
        {
            await node.WaitUntilReadyAsync(Limits.Startup, ct);
            await using var client = await RespConnection.ConnectAsync(node.ClientPort, ct);
            Assert.Equal(new RespReply(':', acknowledged.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                await client.ExecuteAsync(ct, ["EXISTS", .. acknowledged]));
            Assert.Equal(new RespReply(':', "0"), await client.ExecuteAsync(ct, ["EXISTS", .. refused]));
            node.Terminate();
            await node.WaitForExitAsync(Limits.Reap, ct);
        }
    }
}
