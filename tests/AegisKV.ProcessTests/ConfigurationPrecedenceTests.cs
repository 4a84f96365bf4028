namespace AegisKV.ProcessTests;

/// <summary>Where a setting comes from: the flag wins, then the AEGIS_* environment, then the --config file.</summary>
public sealed class ConfigurationPrecedenceTests
{
    [Theory(Timeout = Limits.TestTimeoutMs)]
    [InlineData(true, true, 8)]
    [InlineData(false, true, 4)]
    [InlineData(false, false, 2)]
    public async Task Shards_should_come_from_the_flag_before_the_environment_before_the_config_file(bool withFlag, bool withEnvironment, int expectedShards)
    {
        using var budget = Limits.TestBudget();
        var ct = budget.Token;
        using var directory = new TempDirectory();
        var config = directory.Combine("aegis.conf");
        await File.WriteAllTextAsync(config, "aegis {\n  shards = 2\n}\n", ct);
        List<string> flags = ["--config", config, "--wal", "fsync"];
        if (withFlag) flags.AddRange(["--shards", "8"]);
        var environment = withEnvironment ? new Dictionary<string, string> { ["AEGIS_SHARDS"] = "4" } : null;

        await using var node = AegisProcess.StartNode(directory.Combine("data"), flags, environment);
        await node.WaitUntilReadyAsync(Limits.Startup, ct);
        await using var connection = await RespConnection.ConnectAsync(node.ClientPort, ct);
        await connection.SendAsync("INFO server\r\n", ct);
        var info = await connection.ReadReplyAsync(ct);

        var shardsLine = info.Text?.Split("\r\n").FirstOrDefault(l => l.StartsWith("shards:", StringComparison.Ordinal));
        Assert.True(shardsLine == $"shards:{expectedShards}",
            $"INFO server reports '{shardsLine}', expected 'shards:{expectedShards}' (flag: {withFlag}, AEGIS_SHARDS=4: {withEnvironment}, config file shards = 2)\n{info}\n{node.Describe()}");
    }
}
