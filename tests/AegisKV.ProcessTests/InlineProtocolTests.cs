using System.Text;

namespace AegisKV.ProcessTests;

/// <summary>The node as <c>nc</c> sees it: inline commands over a plain socket.</summary>
public sealed class InlineProtocolTests
{
    [Fact(Timeout = Limits.TestTimeoutMs)]
    public async Task An_nc_style_inline_session_should_get_exactly_the_RESP_replies_and_then_end()
    {
        using var budget = Limits.TestBudget();
        var ct = budget.Token;
        using var directory = new TempDirectory();
        await using var node = AegisProcess.StartNode(directory.Combine("data"), Limits.NodeFlags);
        await node.WaitUntilReadyAsync(Limits.Startup, ct);

        await using var connection = await RespConnection.ConnectAsync(node.ClientPort, ct);
        await connection.SendAsync("SET testkey testvalue\r\nGET testkey\r\n", ct);
        connection.ShutdownSend();
        var received = Encoding.UTF8.GetString(await connection.ReadToEndAsync(ct));

        Assert.True(received == "+OK\r\n$9\r\ntestvalue\r\n",
            $"expected \"+OK\\r\\n$9\\r\\ntestvalue\\r\\n\", received \"{Escape(received)}\"\n{node.Describe()}");
    }

    private static string Escape(string text) => text.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
