using System.Buffers.Binary;
using System.Text;
using Xunit.Abstractions;

namespace AegisKV.ProcessTests;

/// <summary>
/// A flipped byte in one of a shard's newest records: the node names the file and offset, does not
/// serve that shard (and only that one), and <c>aegis wal repair --accept-loss</c> brings it back.
/// </summary>
public sealed class WalRepairTests(ITestOutputHelper output)
{
    [Theory(Timeout = Limits.TestTimeoutMs)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task A_flipped_byte_in_a_shards_newest_records_should_stop_only_that_shard_until_repaired(int fromEnd)
    {
        using var budget = Limits.TestBudget();
        var ct = budget.Token;
        using var directory = new TempDirectory();
        var data = directory.Combine("data");
        var keys = Enumerable.Range(0, 40).Select(i => $"repair:{i}").ToArray();

        await using (var node = AegisProcess.StartNode(data, Limits.NodeFlags))
        {
            await node.WaitUntilReadyAsync(Limits.Startup, ct);
            await using var client = await RespConnection.ConnectAsync(node.ClientPort, ct);
            foreach (var key in keys)
                Assert.Equal(new RespReply('+', "OK"), await client.ExecuteAsync(ct, "SET", key, "v-" + key));
            // Killed, as a crash leaves it: the newest records are what the shard recovers from. (A clean stop saves
            // a snapshot through the last write, and a damaged record behind it is then never read.)
            node.Kill();
            await node.WaitForExitAsync(Limits.Reap, ct);
        }

        var (segment, offset, shard) = FlipByteInRecordFromEnd(Path.Combine(data, "wal"), fromEnd);
        output.WriteLine($"flipped a byte of the record of {shard} at offset {offset} of {segment}");

        string[] unserved;
        await using (var node = AegisProcess.StartNode(data, Limits.NodeFlags))
        {
            await WaitForAsync(async () => (await node.GetHealthAsync("/ready", ct)).Body.Contains("refuse to serve", StringComparison.Ordinal), ct);
            await using var client = await RespConnection.ConnectAsync(node.ClientPort, ct);
            var replies = new List<(string Key, RespReply Reply)>();
            foreach (var key in keys)
                replies.Add((key, await client.ExecuteAsync(ct, "GET", key)));
            unserved = [.. replies.Where(r => r.Reply.Type == '-').Select(r => r.Key)];
            output.WriteLine($"{unserved.Length} of {keys.Length} keys not served: {replies.First(r => r.Reply.Type == '-').Reply}");

            Assert.NotEmpty(unserved);
            Assert.All(replies.Where(r => r.Reply.Type == '-'), r => Assert.StartsWith("CLUSTERDOWN shard ", r.Reply.Text, StringComparison.Ordinal));
            Assert.All(replies.Where(r => r.Reply.Type != '-'), r => Assert.Equal(new RespReply('$', "v-" + r.Key), r.Reply));
            Assert.Contains($"{segment} at offset {offset}", node.StandardOutput, StringComparison.Ordinal);
            node.Terminate();
            await node.WaitForExitAsync(Limits.Reap, ct);
        }

        await using (var plan = await AegisProcess.RunAsync(["wal", "repair", "--data-dir", data], Limits.Command, ct))
        {
            output.WriteLine(plan.StandardOutput);
            Assert.Equal(1, plan.ExitCode);
            Assert.Contains($"drop {segment} bytes {offset}..", plan.StandardOutput, StringComparison.Ordinal);
            Assert.Contains($"drop {shard} records after sequence number", plan.StandardOutput, StringComparison.Ordinal);
        }

        await using (var repair = await AegisProcess.RunAsync(["wal", "repair", "--data-dir", data, "--accept-loss"], Limits.Command, ct))
            Assert.True(repair.ExitCode == 0, repair.Describe());

        await using (var node = AegisProcess.StartNode(data, Limits.NodeFlags))
        {
            await node.WaitUntilReadyAsync(Limits.Startup, ct);
            await using var client = await RespConnection.ConnectAsync(node.ClientPort, ct);
            var lost = 0;
            foreach (var key in keys)
            {
                var reply = await client.ExecuteAsync(ct, "GET", key);
                if (unserved.Contains(key))
                {
                    // The shard serves again: each of its keys has its value, or is gone with the dropped records.
                    Assert.True(reply == new RespReply('$', "v-" + key) || reply.Text is null, $"{key}: {reply}");
                    lost += reply.Text is null ? 1 : 0;
                }
                else
                {
                    Assert.Equal(new RespReply('$', "v-" + key), reply);
                }
            }

            output.WriteLine($"after repair: {lost} key(s) of {shard} dropped, every other key served");
            Assert.InRange(lost, 1, fromEnd);
            Assert.Equal(new RespReply('+', "OK"), await client.ExecuteAsync(ct, "SET", unserved[0], "after-repair"));
        }
    }

    // Flips a payload byte of the record `fromEnd` from the end of the newest segment; returns where it is and whose.
    private static (string Segment, int Offset, string Shard) FlipByteInRecordFromEnd(string wal, int fromEnd)
    {
        var segment = Directory.GetFiles(wal, "*.wal").Order(StringComparer.Ordinal).Last();
        var bytes = File.ReadAllBytes(segment);
        var records = new List<(int Offset, int Length, string Id)>();
        for (var position = 32; position + 12 <= bytes.Length;)
        {
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(position));
            if (length == 0) break; // the zero-filled room after the last record
            records.Add((position, length + 12, PersistenceIdOf(bytes, position + 8)));
            position += length + 12;
        }

        var (offset, recordLength, id) = records[^fromEnd];
        bytes[offset + recordLength - 8] ^= 0x40;
        File.WriteAllBytes(segment, bytes);
        return (segment, offset, id);
    }

    // The id in a record body: after type, flags and two varints in a lean event (type 4), at offset 20 otherwise.
    private static string PersistenceIdOf(byte[] bytes, int body)
    {
        if (bytes[body] != 4) return Encoding.UTF8.GetString(bytes, body + 22, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(body + 20)));
        var position = body + 2;
        while (bytes[position++] >= 0x80)
        {
        }

        while (bytes[position++] >= 0x80)
        {
        }

        return Encoding.UTF8.GetString(bytes, position + 1, bytes[position]);
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, CancellationToken ct)
    {
        while (true)
        {
            try
            {
                if (await condition()) return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100, ct);
        }
    }
}
