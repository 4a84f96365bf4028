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
