using System.Net.Sockets;
using System.Text;

namespace AegisKV.IntegrationTests;

/// <summary>The wire as nc and redis-cli see it.</summary>
public sealed class RawProtocolTests() : NodeTests(new() { ["auth-token"] = "s3cret-token" })
{
    [Fact]
    public async Task Inline_commands_should_be_answered_in_order_before_the_connection_closes() =>
        Assert.Equal("+OK\r\n+OK\r\n$9\r\ntestvalue\r\n:1\r\n",
            await Session("AUTH s3cret-token\r\nSET testkey testvalue\nGET testkey\r\nEXISTS testkey\r\n"));

    [Fact]
    public async Task Commands_before_AUTH_should_be_refused() =>
        Assert.Equal("-NOAUTH Authentication required.\r\n-WRONGPASS invalid username-password pair or user is disabled.\r\n-NOAUTH Authentication required.\r\n",
            await Session("GET k\r\nAUTH wrong\r\nGET k\r\n"));

    [Fact]
    public async Task A_protocol_error_should_be_answered_then_the_connection_closed() =>
        Assert.Equal("+OK\r\n-ERR Protocol error: invalid bulk length\r\n",
            await Session("AUTH s3cret-token\r\n*1\r\n$-5\r\nPING\r\nPING\r\n"));

    [Fact]
    public async Task QUIT_should_reply_OK_and_close() =>
        Assert.Equal("+OK\r\n+OK\r\n", await Session("AUTH s3cret-token\r\nQUIT\r\nPING\r\n"));

    [Fact]
    public async Task Unknown_commands_and_wrong_arity_should_get_Redis_errors() =>
        Assert.Equal("+OK\r\n-ERR unknown command 'NOPE', with args beginning with: 'a' \r\n-ERR wrong number of arguments for 'get' command\r\n-NOPROTO unsupported protocol version\r\n",
            await Session("AUTH s3cret-token\r\nNOPE a\r\nGET\r\nHELLO 4\r\n"));

    // After HELLO 3 (whose own answer is already RESP3) maps are maps and nil is RESP3's null.
    [Fact]
    public async Task HELLO_3_should_switch_the_connection_to_RESP3() =>
        Assert.Equal(
            "+OK\r\n:1\r\n*14\r\n$6\r\nserver\r\n" +
            "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$5\r\n7.2.0\r\n$5\r\nproto\r\n:3\r\n" +
            "%1\r\n$1\r\nf\r\n$1\r\nv\r\n_\r\n",
            Trim(await Session("AUTH s3cret-token\r\nHSET r3 f v\r\nHELLO 2\r\nHELLO 3\r\nHGETALL r3\r\nGET missing\r\n")));

    // The parts of HELLO's answers that do not change between runs: the first field of HELLO 2, the first three of HELLO 3.
    private static string Trim(string replies)
    {
        var hello2 = replies.IndexOf("*14\r\n$6\r\nserver\r\n", StringComparison.Ordinal) + "*14\r\n$6\r\nserver\r\n".Length;
        var hello3 = replies.IndexOf("%7\r\n", StringComparison.Ordinal);
        var id = replies.IndexOf("$2\r\nid\r\n", hello3, StringComparison.Ordinal);
        var map = replies.IndexOf("%1\r\n", StringComparison.Ordinal);
        return replies[..hello2] + replies[hello3..id] + replies[map..];
    }

    // Single-key, multi-key and all-shard commands take different paths to a shard; a pipeline
    // must still take effect in the order it was sent.
    [Fact]
    public async Task Pipelined_commands_of_every_kind_should_take_effect_in_order() =>
        Assert.Equal("+OK\r\n+OK\r\n:1\r\n+OK\r\n$1\r\nw\r\n+OK\r\n$1\r\nx\r\n+OK\r\n+OK\r\n$1\r\ny\r\n:1\r\n",
            await Session("AUTH s3cret-token\r\nSET ord v\r\nDEL ord\r\nSET ord w\r\nGET ord\r\nMSET ord x other 1\r\nGET ord\r\nFLUSHALL\r\nSET ord y\r\nGET ord\r\nDBSIZE\r\n"));

    // A long pipeline over many shards goes out as one request per shard: every reply must come back in its place,
    // and a multi-key command in the middle must see every write before it and none after it.
    [Fact]
    public async Task A_long_pipeline_over_many_shards_should_be_answered_in_order()
    {
        var request = new System.Text.StringBuilder("AUTH s3cret-token\r\n");
        var expected = new System.Text.StringBuilder("+OK\r\n");
        var counts = new int[40];
        for (var i = 0; i < 200; i++)
        {
            if (i == 100)
            {
                request.Append("MGET").Append(string.Concat(Enumerable.Range(0, counts.Length).Select(k => $" long-pipeline:{k}"))).Append("\r\n");
                expected.Append($"*{counts.Length}\r\n").Append(string.Concat(counts.Select(c => $"${c.ToString().Length}\r\n{c}\r\n")));
            }

            var key = i * 7 % counts.Length;
            request.Append($"INCR long-pipeline:{key}\r\n");
            expected.Append($":{++counts[key]}\r\n");
        }

        Assert.Equal(expected.ToString(), await Session(request.ToString()));
    }

    [Fact]
    public async Task Commands_after_QUIT_should_not_take_effect()
    {
        Assert.Equal("+OK\r\n+OK\r\n", await Session("AUTH s3cret-token\r\nQUIT\r\nSET after-quit 1\r\n"));
        Assert.Equal("+OK\r\n:0\r\n", await Session("AUTH s3cret-token\r\nEXISTS after-quit\r\n"));
    }

    [Fact]
    public async Task A_failed_AUTH_should_not_log_out_an_authenticated_connection() =>
        Assert.Equal("+OK\r\n-WRONGPASS invalid username-password pair or user is disabled.\r\n+PONG\r\n",
            await Session("AUTH s3cret-token\r\nAUTH wrong\r\nPING\r\n"));
}
