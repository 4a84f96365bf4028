using System.Runtime.Versioning;

namespace AegisKV.ProcessTests;

/// <summary>The data directory holds every value: only the node's user may read it.</summary>
public sealed class DataDirectoryTests
{
    [Fact(Timeout = Limits.TestTimeoutMs)]
    [UnsupportedOSPlatform("windows")]
    public async Task The_data_directory_should_be_created_with_mode_0700()
    {
        using var budget = Limits.TestBudget();
        var ct = budget.Token;
        using var directory = new TempDirectory();
        var dataDirectory = directory.Combine("data");
        Assert.False(Directory.Exists(dataDirectory));

        await using var node = AegisProcess.StartNode(dataDirectory, Limits.NodeFlags);
        await node.WaitUntilReadyAsync(Limits.Startup, ct);

        const UnixFileMode expected = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        var mode = File.GetUnixFileMode(dataDirectory);
        Assert.True(mode == expected, $"{dataDirectory} has mode {Octal(mode)}, expected {Octal(expected)}\n{node.Describe()}");
    }

    private static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode, 8);
}
