using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace AegisKV.ProcessTests;

/// <summary>The aegis command line: usage errors and --version.</summary>
public sealed class CommandLineTests(ITestOutputHelper output)
{
    [Theory(Timeout = Limits.TestTimeoutMs)]
    [InlineData("--wal=bogus", "--wal")]
    [InlineData("--shards 0", "--shards")]
    [InlineData("--bind nonsense", "--bind")]
    [InlineData("--no-such-flag", "--no-such-flag")]
    public async Task A_bad_flag_or_value_should_exit_with_code_2_after_one_stderr_line_naming_the_flag_without_listening(string arguments, string flag)
    {
        using var budget = Limits.TestBudget();
        var ct = budget.Token;
        using var directory = new TempDirectory();
        var clock = Stopwatch.StartNew();
        await using var node = AegisProcess.StartNode(directory.Combine("data"), arguments.Split(' '));
        var exitCode = await node.WaitForExitAsync(Limits.Command, ct);
        output.WriteLine($"exit code {exitCode} after {clock.ElapsedMilliseconds} ms; stderr: {node.StandardError}");

        Assert.True(exitCode == 2, $"exit code {exitCode}, expected 2\n{node.Describe()}");
        var lines = node.StandardErrorLines;
        Assert.True(lines.Count == 1, $"{lines.Count} lines on stderr, expected exactly one\n{node.Describe()}");
        Assert.True(lines[0].StartsWith("aegis: ", StringComparison.Ordinal) && lines[0].Contains(flag, StringComparison.Ordinal),
            $"the stderr line does not start with 'aegis: ' and name {flag}\n{node.Describe()}");
        var ports = node.Ports!;
        foreach (var port in new[] { ports.Client, ports.Gossip, ports.Health })
            Assert.False(await IsListeningAsync(port, ct), $"something listens on 127.0.0.1:{port} after the usage error\n{node.Describe()}");
    }

    [Fact(Timeout = Limits.TestTimeoutMs)]
    public async Task The_version_flag_should_print_a_version_and_exit_with_code_0()
    {
        using var budget = Limits.TestBudget();
        await using var run = await AegisProcess.RunAsync(["--version"], Limits.Command, budget.Token);
        output.WriteLine($"{AegisProcess.BinaryPath} --version: {run.StandardOutput}");

        Assert.True(run.ExitCode == 0, $"exit code {run.ExitCode}, expected 0\n{run.Describe()}");
        Assert.True(Regex.IsMatch(run.StandardOutput.Trim(), @"^\d+\.\d+\.\d+([-+][0-9A-Za-z.+-]*)?$"),
            $"'{run.StandardOutput.Trim()}' is not a version like 0.1.0\n{run.Describe()}");
    }

    private static async Task<bool> IsListeningAsync(int port, CancellationToken ct)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), limit.Token);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
