using AegisKV.Server.Configuration;

namespace AegisKV.IntegrationTests;

/// <summary>The token from a file (<c>--auth-token-file</c>), so that it shows neither in ps nor in shell history.</summary>
public sealed class AuthTokenFileTests : IDisposable
{
    private const string Token = "0123456789abcdef0123456789abcdef-from-a-file";
    private readonly string _file = Path.Combine(Path.GetTempPath(), "aegis-token-" + Guid.NewGuid().ToString("N"));

    public AuthTokenFileTests() => File.WriteAllText(_file, Token + "\n");

    public void Dispose() => File.Delete(_file);

    private static NodeSettings Load(Dictionary<string, string> flags) => NodeConfigLoader.Load(flags, null, new Dictionary<string, string>());

    [Fact]
    public async Task A_node_should_take_the_token_from_the_file_without_its_newline()
    {
        Assert.Equal(Token, Load(new() { ["auth-token-file"] = _file }).AuthToken);
        var node = await TestNode.StartAsync(new() { ["auth-token-file"] = _file });
        try
        {
            Assert.Equal("-NOAUTH Authentication required.\r\n+OK\r\n+PONG\r\n", await RawClient.SessionAsync(node.Node.ClientPort, $"PING\r\nAUTH {Token}\r\nPING\r\n"));
        }
        finally
        {
            await node.DisposeAsync();
            node.DeleteData();
        }
    }

    [Fact]
    public void A_token_given_twice_a_missing_file_or_an_empty_one_should_be_refused()
    {
        var twice = Assert.Throws<SettingsException>(() => Load(new() { ["auth-token-file"] = _file, ["auth-token"] = "x" }));
        Assert.Equal("--auth-token-file: give the token once: --auth-token or --auth-token-file, not both", twice.Message);
        var missing = Assert.Throws<SettingsException>(() => Load(new() { ["auth-token-file"] = _file + ".missing" }));
        Assert.StartsWith($"--auth-token-file: cannot read '{_file}.missing'", missing.Message, StringComparison.Ordinal);
        File.WriteAllText(_file, "\n");
        Assert.Equal($"--auth-token-file: '{_file}' is empty", Assert.Throws<SettingsException>(() => Load(new() { ["auth-token-file"] = _file })).Message);
    }
}
