using System.Diagnostics;
using Xunit.Abstractions;

namespace AegisKV.ProcessTests;

/// <summary>
/// Real client libraries of other languages, with their default settings, against a node: redis-py
/// (Debian's python3-redis) and ioredis (from npm). Each is skipped, saying why, where it cannot be had.
/// </summary>
public sealed class RealClientTests(ITestOutputHelper output)
{
    private static readonly string Scripts = Path.Combine(AppContext.BaseDirectory, "clients");

    [SkippableFact(Timeout = Limits.TestTimeoutMs)]
    public async Task Redis_py_pipelines_transactions_watch_and_scan_should_work()
    {
        var (code, _) = await RunAsync("/usr/bin/python3", ["-c", "import redis"], null, TimeSpan.FromSeconds(20));
        Skip.If(code != 0, "redis-py is not installed (apt-get install python3-redis)");
        await AgainstNodeAsync("/usr/bin/python3", [Path.Combine(Scripts, "redis_py_check.py")], null);
    }

    [SkippableFact(Timeout = 120_000)]
    public async Task Ioredis_multi_watch_pipelines_and_scan_should_work()
    {
        using var directory = new TempDirectory();
        var modules = directory.Combine("js");
        Directory.CreateDirectory(modules);
        var (code, text) = await RunAsync("npm", ["install", "--no-audit", "--no-fund", "--silent", "ioredis@5"], modules, TimeSpan.FromSeconds(90));
        Skip.If(code != 0, $"ioredis could not be installed from npm: {text}");
        File.Copy(Path.Combine(Scripts, "ioredis_check.js"), Path.Combine(modules, "ioredis_check.js"));
        await AgainstNodeAsync("node", [Path.Combine(modules, "ioredis_check.js")], modules);
    }

    // redis-cli as an operator runs it: --stat reads INFO every interval, MONITOR streams commands, -3 speaks RESP3.
    [SkippableFact(Timeout = Limits.TestTimeoutMs)]
    public async Task Redis_cli_stat_MONITOR_and_RESP3_should_work()
    {
        Skip.IfNot(File.Exists("/usr/bin/redis-cli"), "redis-cli is not installed (apt-get install redis-tools)");
        using var budget = Limits.TestBudget();
        using var directory = new TempDirectory();
        await using var node = AegisProcess.StartNode(directory.Combine("data"), Limits.NodeFlags);
        await node.WaitUntilReadyAsync(Limits.Startup, budget.Token);
        var port = node.ClientPort.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var stat = await FirstLinesAsync(["-p", port, "--stat", "-i", "0.2"], 4, null);
        output.WriteLine(string.Join('\n', stat));
        Assert.Matches(@"^keys\s+mem\s+clients\s+blocked\s+requests\s+connections", stat[1]);
        Assert.Matches(@"^\d+\s+\S+B\s+1\s+0\s+\d+ \(\+\d+\)\s+\d+", stat[3]);

        var monitor = await FirstLinesAsync(["-p", port, "monitor"], 2, async () =>
            await RunAsync("/usr/bin/redis-cli", ["-p", port, "set", "cli:k", "v"], null, TimeSpan.FromSeconds(10)));
        output.WriteLine(string.Join('\n', monitor));
        Assert.Equal("OK", monitor[0]);
        Assert.Matches(@"^\d+\.\d{6} \[0 127\.0\.0\.1:\d+\] ""set"" ""cli:k"" ""v""$", monitor[1]);

        await RunAsync("/usr/bin/redis-cli", ["-p", port, "hset", "cli:h", "f", "v"], null, TimeSpan.FromSeconds(10));
        var (code, map) = await RunAsync("/usr/bin/redis-cli", ["-3", "--no-raw", "-p", port, "hgetall", "cli:h"], null, TimeSpan.FromSeconds(10));
        Assert.Equal(0, code);
        Assert.Equal("1# \"f\" => \"v\"", map);
    }

    // Starts redis-cli, runs then after it has started, and returns its first lines of output.
    private static async Task<List<string>> FirstLinesAsync(string[] arguments, int count, Func<Task>? then)
    {
        var info = new ProcessStartInfo("/usr/bin/redis-cli") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        try
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            var lines = new List<string>();
            var first = process.StandardOutput.ReadLineAsync(limit.Token).AsTask();
            if (then is not null)
            {
                await Task.Delay(300, limit.Token);
                await then();
            }

            lines.Add(await first ?? "");
            while (lines.Count < count && await process.StandardOutput.ReadLineAsync(limit.Token) is { } line) lines.Add(line);
            return lines;
        }
        finally
        {
            process.Kill(entireProcessTree: true);
        }
    }

    private async Task AgainstNodeAsync(string program, string[] arguments, string? workingDirectory)
    {
        using var budget = Limits.TestBudget();
        using var directory = new TempDirectory();
        await using var node = AegisProcess.StartNode(directory.Combine("data"), Limits.NodeFlags);
        await node.WaitUntilReadyAsync(Limits.Startup, budget.Token);
        var (code, text) = await RunAsync(program, [.. arguments, node.ClientPort.ToString(System.Globalization.CultureInfo.InvariantCulture)], workingDirectory, TimeSpan.FromSeconds(30));
        output.WriteLine(text);
        Assert.True(code == 0, $"{program} exited with {code}:\n{text}\n{node.Describe()}");
    }

    private static async Task<(int Code, string Output)> RunAsync(string program, string[] arguments, string? workingDirectory, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory ?? "" };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, e.Message);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var limit = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                return (-1, $"timed out after {timeout.TotalSeconds:F0} s");
            }

            return (process.ExitCode, (await stdout + await stderr).Trim());
        }
    }
}
