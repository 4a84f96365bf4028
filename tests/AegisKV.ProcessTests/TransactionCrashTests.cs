using System.Globalization;
using System.Text;
using Xunit.Abstractions;

namespace AegisKV.ProcessTests;

/// <summary>A transaction is one atomic journal write: killed mid-write, a node keeps all of it or none.</summary>
public sealed class TransactionCrashTests(ITestOutputHelper output)
{
    private const int Keys = 40;

    [Fact(Timeout = Limits.TestTimeoutMs)]
    public async Task A_transaction_killed_mid_write_should_leave_all_of_its_writes_or_none()
    {
        using var budget = Limits.TestBudget();
        var ct = budget.Token;
        using var directory = new TempDirectory();
        var data = directory.Combine("data");
        long acknowledged = 0, sent = 0;

        await using (var node = AegisProcess.StartNode(data, Limits.NodeFlags))
        {
            await node.WaitUntilReadyAsync(Limits.Startup, ct);
            await using var connection = await RespConnection.ConnectAsync(node.ClientPort, ct);
            var writer = Task.Run(async () =>
            {
                try
                {
                    for (long round = 1; !ct.IsCancellationRequested; round++)
                    {
                        // Each round sets every key to the round's number, padded to 2 KB: one write of about 90 KB.
                        var value = round.ToString(CultureInfo.InvariantCulture).PadRight(2048, '.');
                        var transaction = new MemoryStream();
                        transaction.Write(RespConnection.Command("MULTI"));
                        for (var k = 0; k < Keys; k++) transaction.Write(RespConnection.Command("SET", $"{{tx}}k{k}", value));
                        transaction.Write(RespConnection.Command("EXEC"));
                        Volatile.Write(ref sent, round);
                        await connection.SendAsync(transaction.ToArray(), ct);
                        for (var r = 0; r < Keys + 1; r++) await connection.ReadReplyAsync(ct);
                        var exec = await connection.ReadReplyAsync(ct);
                        if (exec.Items is not { Count: Keys }) throw new InvalidOperationException($"EXEC answered {exec}");
                        Volatile.Write(ref acknowledged, round);
                    }
                }
                catch (Exception e) when (e is IOException or EndOfStreamException or System.Net.Sockets.SocketException or OperationCanceledException)
                {
                    // The node was killed under the writer.
                }
            }, ct);

            while (Volatile.Read(ref acknowledged) < 20) await Task.Delay(20, ct);
            node.Kill();
            await node.WaitForExitAsync(Limits.Reap, ct);
            await writer.WaitAsync(TimeSpan.FromSeconds(10), ct);
        }

        await using (var node = AegisProcess.StartNode(data, Limits.NodeFlags))
        {
            await node.WaitUntilReadyAsync(Limits.Startup, ct);
            await using var client = await RespConnection.ConnectAsync(node.ClientPort, ct);
            var rounds = new HashSet<long>();
            for (var k = 0; k < Keys; k++)
            {
                var reply = await client.ExecuteAsync(ct, "GET", $"{{tx}}k{k}");
                rounds.Add(long.Parse(reply.Text!.TrimEnd('.'), CultureInfo.InvariantCulture));
            }

            output.WriteLine($"{acknowledged} transactions acknowledged, {sent} sent; after kill -9 every key holds round(s) {string.Join(", ", rounds)}");
            var round = Assert.Single(rounds);
            Assert.InRange(round, acknowledged, sent);
        }
    }
}
