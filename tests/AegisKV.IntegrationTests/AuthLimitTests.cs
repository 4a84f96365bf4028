using System.Diagnostics;

namespace AegisKV.IntegrationTests;

/// <summary>Guessing the token: each wrong attempt waits, counts, and a connection gets only so many.</summary>
public sealed class AuthLimitTests() : NodeTests(new()
{
    ["auth-token"] = Token,
    ["auth-max-failures"] = "3",
    ["auth-failure-delay"] = "150ms",
})
{
    private const string Token = "a-token-of-at-least-thirty-two-characters";
    private const string WrongPass = "-WRONGPASS invalid username-password pair or user is disabled.\r\n";

    [Fact]
    public async Task Wrong_attempts_pipelined_should_be_answered_one_delay_apart_and_the_last_allowed_should_close_the_connection()
    {
        var before = await Node.MetricsAsync();
        using var client = await RawClient.ConnectAsync(Port);
        var clock = Stopwatch.StartNew();
        // What follows the third wrong attempt must not run: not even a right AUTH.
        await client.SendAsync($"AUTH wrong-1\r\nAUTH default wrong-2\r\nHELLO 3 AUTH default wrong-3\r\nAUTH {Token}\r\nPING\r\n");
        var (text, closed) = await client.ReceiveUntilClosedAsync(TimeSpan.FromSeconds(10));
        Assert.True(closed, $"the connection stayed open after three wrong attempts: {text}");
        Assert.Equal(WrongPass + WrongPass
                     + "-WRONGPASS invalid username-password pair or user is disabled; too many wrong attempts, closing the connection\r\n", text);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(3 * 150 - 20), $"three wrong attempts answered within {clock.ElapsedMilliseconds} ms");

        var after = await Node.MetricsAsync();
        Assert.Equal(3, after["aegis_auth_failures_total"] - before.GetValueOrDefault("aegis_auth_failures_total"));
        Assert.Equal(1, after["aegis_auth_connections_closed_total"] - before.GetValueOrDefault("aegis_auth_connections_closed_total"));
    }

    [Fact]
    public async Task The_user_name_form_and_HELLO_AUTH_should_authenticate_and_a_new_connection_should_start_counting_afresh()
    {
        Assert.Equal(WrongPass + WrongPass + "+OK\r\n+PONG\r\n", await Session($"AUTH x\r\nAUTH default y\r\nAUTH default {Token}\r\nPING\r\n"));
        var hello = await Session($"AUTH x\r\nHELLO 2 AUTH default {Token}\r\nPING\r\n");
        Assert.StartsWith(WrongPass + "*14\r\n", hello, StringComparison.Ordinal);
        Assert.EndsWith("+PONG\r\n", hello, StringComparison.Ordinal);
    }
}
