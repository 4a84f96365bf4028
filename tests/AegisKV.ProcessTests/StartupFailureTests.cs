using System.Net;
using System.Net.Sockets;
using Xunit.Abstractions;

namespace AegisKV.ProcessTests;

/// <summary>A node that cannot start says why in one line and exits: 2 for configuration, 1 for what it finds at start.</summary>
public sealed class StartupFailureTests(ITestOutputHelper output)
{
    [Theory(Timeout = Limits.TestTimeoutMs)]
    [InlineData("--bind")]
    [InlineData("--gossip")]
    [InlineData("--health")]
    public async Task A_listen_port_in_use_should_be_one_line_naming_the_flag_and_exit_1(string flag)
    {
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        taken.Listen();
        var port = ((IPEndPoint)taken.LocalEndPoint!).Port;
        using var directory = new TempDirectory();

        await AssertFailsAsync(directory.Combine("data"), [flag, $"127.0.0.1:{port}"], 1, $"aegis: {flag}: 127.0.0.1:{port} is already in use");
    }

    [Fact(Timeout = Limits.TestTimeoutMs)]
    public async Task A_data_dir_that_is_a_file_should_be_refused()
    {
        using var directory = new TempDirectory();
        var file = directory.Combine("data");
        await File.WriteAllTextAsync(file, "");
        await AssertFailsAsync(file, [], 1, "aegis: --data-dir: ", "is a file, not a directory");
    }

    [Fact(Timeout = Limits.TestTimeoutMs)]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task A_data_dir_open_to_other_users_should_be_refused_with_the_chmod_to_run()
    {
        using var directory = new TempDirectory();
        var data = directory.Combine("data");
        Directory.CreateDirectory(data, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead
                                        | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        await AssertFailsAsync(data, [], 1, "aegis: --data-dir: ", $"is open to other users (mode 0755) and holds every value; run: chmod 700 '{data}'");
        Assert.Empty(Directory.GetFileSystemEntries(data));
    }

    [Fact(Timeout = Limits.TestTimeoutMs)]
    public async Task A_data_dir_that_cannot_be_created_should_be_refused()
    {
        using var directory = new TempDirectory();
        var file = directory.Combine("file");
        await File.WriteAllTextAsync(file, "");
        await AssertFailsAsync(directory.Combine("data"), ["--data-dir", Path.Combine(file, "data")], 1, "aegis: --data-dir: cannot create");
    }

    [Fact(Timeout = Limits.TestTimeoutMs)]
    public async Task A_data_dir_in_use_by_a_running_node_should_be_refused()
    {
        using var budget = Limits.TestBudget();
        using var directory = new TempDirectory();
        var data = directory.Combine("data");
        await using var first = AegisProcess.StartNode(data, Limits.NodeFlags);
        await first.WaitUntilReadyAsync(Limits.Startup, budget.Token);

        await AssertFailsAsync(data, [], 1, "aegis: --data-dir: ", "in use by another running AegisKV node");
        Assert.False(first.HasExited, "the first node stopped");
    }

    [Theory(Timeout = Limits.TestTimeoutMs)]
    // A misspelt key under aegis { } is named, with the key that was probably meant.
    [InlineData("aegis { shard = 8 }", "(did you mean 'aegis.shards'?)")]
    [InlineData("aegis { max-memroy = 8 }", "unknown key 'aegis.max-memroy' (did you mean 'aegis.max-memory'?)")]
    // A setting written outside aegis { }.
    [InlineData("shards = 8", "'shards' is outside aegis { }")]
    // A section where a value belongs, and a value where a section belongs.
    [InlineData("aegis { shards { a = 1 } }", "'aegis.shards' takes a value, not a section")]
    [InlineData("aegis { limits = 5 }", "'aegis.limits' is a section")]
    // Braces the HOCON parser would close by itself at the end of the file.
    [InlineData("aegis {\n  shards = 8\n", "line 1: '{' is never closed")]
    [InlineData("aegis {\n  shards = 8\n}\n}\n", "line 4: '}' closes nothing")]
    // A value of the wrong type.
    [InlineData("aegis { shards = lots }", "expected a whole number")]
    public async Task A_config_file_mistake_should_be_one_line_and_exit_2(string hocon, string expected)
    {
        using var directory = new TempDirectory();
        var file = directory.Combine("node.conf");
        await File.WriteAllTextAsync(file, hocon);
        await AssertFailsAsync(directory.Combine("data"), ["--config", file], 2, "aegis: ", expected);
    }

    private async Task AssertFailsAsync(string dataDirectory, string[] flags, int expectedExitCode, params string[] expectedParts)
    {
        using var budget = Limits.TestBudget();
        await using var node = AegisProcess.StartNode(dataDirectory, flags);
        var exitCode = await node.WaitForExitAsync(Limits.Command, budget.Token);
        output.WriteLine($"exit code {exitCode}; stderr: {node.StandardError}");

        Assert.True(exitCode == expectedExitCode, $"exit code {exitCode}, expected {expectedExitCode}\n{node.Describe()}");
        var lines = node.StandardErrorLines;
        Assert.True(lines.Count == 1, $"{lines.Count} lines on stderr, expected exactly one\n{node.Describe()}");
        foreach (var part in expectedParts)
            Assert.True(lines[0].Contains(part, StringComparison.Ordinal), $"stderr does not say '{part}'\n{node.Describe()}");
        Assert.DoesNotContain("   at ", node.StandardOutput + node.StandardError, StringComparison.Ordinal);
    }
}
