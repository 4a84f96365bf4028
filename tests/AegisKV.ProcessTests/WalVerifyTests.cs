using Xunit.Abstractions;

namespace AegisKV.ProcessTests;

/// <summary><c>aegis wal verify</c> on the data directory of a stopped node.</summary>
public sealed class WalVerifyTests(ITestOutputHelper output)
{
    [Fact(Timeout = Limits.TestTimeoutMs)]
    public async Task Wal_verify_should_pass_a_cleanly_stopped_node_and_exit_1_naming_the_segment_after_a_byte_flip()
    {
        using var budget = Limits.TestBudget();
        var ct = budget.Token;
        using var directory = new TempDirectory();
        var dataDirectory = directory.Combine("data");

        await using (var node = AegisProcess.StartNode(dataDirectory, Limits.NodeFlags))
        {
            await node.WaitUntilReadyAsync(Limits.Startup, ct);
            await using (var connection = await RespConnection.ConnectAsync(node.ClientPort, ct))
            {
                for (var i = 0; i < 300; i++)
                {
                    var reply = await connection.ExecuteAsync(ct, "SET", $"verify:{i}", $"value-{i}-{new string('x', 40)}");
                    Assert.True(reply is { Type: '+', Text: "OK" }, $"SET verify:{i} answered {reply}\n{node.Describe()}");
                }
            }

            node.Terminate();
            var exitCode = await node.WaitForExitAsync(TimeSpan.FromSeconds(30), ct);
            Assert.True(exitCode == 0, $"exit code {exitCode} after SIGTERM\n{node.Describe()}");
        }

        await using (var intact = await AegisProcess.RunAsync(["wal", "verify", "--data-dir", dataDirectory], Limits.Command, ct))
        {
            output.WriteLine($"intact: exit code {intact.ExitCode}\n{intact.StandardOutput}");
            Assert.True(intact.ExitCode == 0, $"wal verify exited {intact.ExitCode} on an intact data directory, expected 0\n{intact.Describe()}");
        }

        var segment = Directory.GetFiles(Path.Combine(dataDirectory, "wal"), "*.wal").OrderByDescending(f => new FileInfo(f).Length).FirstOrDefault();
        Assert.True(segment is not null, $"no wal/*.wal segment in {dataDirectory}");
        var bytes = await File.ReadAllBytesAsync(segment, ct);
        // The records, not the zeros the segment is filled ahead with (those are room not yet used).
        var written = bytes.AsSpan().LastIndexOfAnyExcept((byte)0) + 1;
        Assert.True(written > 4096, $"{segment} holds only {written} bytes of records after 300 SETs");
        var offset = written / 2;
        bytes[offset] ^= 0xFF;
        await File.WriteAllBytesAsync(segment, bytes, ct);
        output.WriteLine($"flipped the byte at offset {offset} of {bytes.Length} in {segment}");

        await using var corrupt = await AegisProcess.RunAsync(["wal", "verify", "--data-dir", dataDirectory], Limits.Command, ct);
        output.WriteLine($"corrupt: exit code {corrupt.ExitCode}\n{corrupt.StandardOutput}");
        Assert.True(corrupt.ExitCode == 1, $"wal verify exited {corrupt.ExitCode} after a byte flip at offset {offset}, expected 1\n{corrupt.Describe()}");
        Assert.True((corrupt.StandardOutput + corrupt.StandardError).Contains(Path.GetFileName(segment), StringComparison.Ordinal),
            $"wal verify does not name {Path.GetFileName(segment)}\n{corrupt.Describe()}");
    }
}
