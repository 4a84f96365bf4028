using StackExchange.Redis;

namespace AegisKV.IntegrationTests;

/// <summary>MULTI/EXEC/DISCARD as Redis Cluster has them: queued, all-or-nothing, within one shard.</summary>
public sealed class TransactionTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private TestNode _node = null!;

    public async Task InitializeAsync() => _node = await TestNode.StartAsync();

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        _node.DeleteData();
    }

    // Sends everything, half-closes and reads all replies, as `nc -N`.
    private async Task<string> Session(string input)
    {
        using var client = await RawClient.ConnectAsync(_node.Node.ClientPort);
        await client.SendAsync(input);
        client.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
        var (text, _) = await client.ReceiveUntilClosedAsync(Wait);
        return text;
    }

    [Fact]
    public async Task Queued_commands_should_run_at_EXEC_in_order_and_answer_together() =>
        Assert.Equal("+OK\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n*4\r\n+OK\r\n:2\r\n$1\r\n2\r\n+PONG\r\n",
            await Session("MULTI\r\nSET {t}a 1\r\nINCR {t}a\r\nGET {t}a\r\nPING\r\nEXEC\r\n"));

    [Fact]
    public async Task Nothing_queued_should_take_effect_before_EXEC_or_after_DISCARD()
    {
        Assert.Equal("+OK\r\n+QUEUED\r\n+OK\r\n:0\r\n", await Session("MULTI\r\nSET {d}k 1\r\nDISCARD\r\nEXISTS {d}k\r\n"));
        // A second connection looks while the first has queued but not executed.
        using var writer = await RawClient.ConnectAsync(_node.Node.ClientPort);
        await writer.SendAsync("MULTI\r\nSET {d}later 1\r\n");
        Assert.Equal("+OK\r\n+QUEUED\r\n", await writer.ReceiveAsync(14, Wait));
        Assert.Equal(":0\r\n", await Session("EXISTS {d}later\r\n"));
        await writer.SendAsync("EXEC\r\n");
        Assert.Equal("*1\r\n+OK\r\n", await writer.ReceiveAsync(9, Wait));
        Assert.Equal(":1\r\n", await Session("EXISTS {d}later\r\n"));
    }

    [Theory]
    // An unknown command while queueing: EXECABORT, and the valid commands queued with it do not run.
    [InlineData("MULTI\r\nSET {e}k 1\r\nNOPE\r\nEXEC\r\nEXISTS {e}k\r\n", "-EXECABORT Transaction discarded because of previous errors.\r\n:0\r\n")]
    // A wrong number of arguments, likewise.
    [InlineData("MULTI\r\nSET {e}k 1\r\nGET\r\nEXEC\r\nEXISTS {e}k\r\n", "-EXECABORT Transaction discarded because of previous errors.\r\n:0\r\n")]
    // Keys on different shards: CROSSSLOT at once, then EXECABORT, as Redis Cluster answers.
    [InlineData("MULTI\r\nSET {e}k 1\r\nSET {other}k 1\r\nEXEC\r\nEXISTS {e}k\r\n", "-CROSSSLOT Keys in request don't hash to the same slot\r\n-EXECABORT Transaction discarded because of previous errors.\r\n:0\r\n")]
    public async Task A_transaction_with_an_error_while_queueing_should_run_nothing(string input, string ending) =>
        Assert.EndsWith(ending, await Session(input), StringComparison.Ordinal);

    [Theory]
    [InlineData("EXEC\r\n", "-ERR EXEC without MULTI\r\n")]
    [InlineData("DISCARD\r\n", "-ERR DISCARD without MULTI\r\n")]
    [InlineData("MULTI\r\nMULTI\r\nEXEC\r\n", "+OK\r\n-ERR MULTI calls can not be nested\r\n*0\r\n")]
    [InlineData("MULTI\r\nWATCH k\r\nDISCARD\r\n", "+OK\r\n-ERR WATCH inside MULTI is not allowed\r\n+OK\r\n")]
    public async Task Misplaced_transaction_commands_should_get_Redis_errors(string input, string expected) =>
        Assert.Equal(expected, await Session(input));

    // A command that fails when it runs does not stop the others, as in Redis.
    [Fact]
    public async Task A_command_failing_at_EXEC_should_not_stop_the_others() =>
        Assert.Equal("+OK\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n*3\r\n+OK\r\n-ERR value is not an integer or out of range\r\n+OK\r\n",
            await Session("MULTI\r\nSET {f}k text\r\nINCR {f}k\r\nSET {f}j 1\r\nEXEC\r\n"));

    [Fact]
    public async Task A_StackExchange_Redis_transaction_should_commit()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(_node.Endpoint);
        var db = redis.GetDatabase();
        var transaction = db.CreateTransaction();
        var set = transaction.StringSetAsync("{se}a", "1");
        var incremented = transaction.StringIncrementAsync("{se}b", 5);
        Assert.True(await transaction.ExecuteAsync());
        Assert.True(await set);
        Assert.Equal(5, await incremented);
        Assert.Equal("1", await db.StringGetAsync("{se}a"));
    }
}
