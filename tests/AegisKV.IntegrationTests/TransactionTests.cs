using StackExchange.Redis;

namespace AegisKV.IntegrationTests;

/// <summary>MULTI/EXEC/DISCARD as Redis Cluster has them: queued, all-or-nothing, within one shard.</summary>
public sealed class TransactionTests(SharedNode node) : IClassFixture<SharedNode>
{
    private TestNode Node => node.Node;

    private int Port => node.Port;

    private Task<string> Session(string input) => RawClient.SessionAsync(Port, input);

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Queued_commands_should_run_at_EXEC_in_order_and_answer_together() =>
        Assert.Equal("+OK\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n*4\r\n+OK\r\n:2\r\n$1\r\n2\r\n+PONG\r\n",
            await Session("MULTI\r\nSET {t}a 1\r\nINCR {t}a\r\nGET {t}a\r\nPING\r\nEXEC\r\n"));

    [Fact]
    public async Task Nothing_queued_should_take_effect_before_EXEC_or_after_DISCARD()
    {
        Assert.Equal("+OK\r\n+QUEUED\r\n+OK\r\n:0\r\n", await Session("MULTI\r\nSET {d}k 1\r\nDISCARD\r\nEXISTS {d}k\r\n"));
        // A second connection looks while the first has queued but not executed.
        using var writer = await RawClient.ConnectAsync(Port);
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

    // WATCH: EXEC runs nothing and answers nil when another client changed a watched key in between.
    [Fact]
    public async Task A_watched_key_changed_by_another_client_should_abort_EXEC()
    {
        Assert.Equal("+OK\r\n", await Session("SET {w}k 1\r\n"));
        using var client = await RawClient.ConnectAsync(Port);
        // As clients do: WATCH, its answer, then the transaction.
        await client.SendAsync("WATCH {w}k\r\n");
        await client.ExpectAsync(Wait, "+OK\r\n");
        await client.SendAsync("MULTI\r\nINCR {w}k\r\nEXEC\r\n");
        await client.ExpectAsync(Wait, "+OK\r\n+QUEUED\r\n*1\r\n:2\r\n");

        await client.SendAsync("WATCH {w}k\r\n");
        await client.ExpectAsync(Wait, "+OK\r\n");
        Assert.Equal("+OK\r\n", await Session("SET {w}k 100\r\n"));
        await client.SendAsync("MULTI\r\nINCR {w}k\r\nEXEC\r\nGET {w}k\r\n");
        await client.ExpectAsync(Wait, "+OK\r\n+QUEUED\r\n*-1\r\n$3\r\n100\r\n");
    }

    [Theory]
    // A key that expires after WATCH counts as changed.
    [InlineData("SET {x}k v PX 100\r\nWATCH {x}k\r\n", "MULTI\r\nSET {x}k w\r\nEXEC\r\n", "+OK\r\n+QUEUED\r\n*-1\r\n")]
    // UNWATCH forgets the keys: the change no longer matters.
    [InlineData("SET {x}u v\r\nWATCH {x}u\r\nUNWATCH\r\nSET {x}u changed\r\n", "MULTI\r\nSET {x}u w\r\nEXEC\r\n", "+OK\r\n+QUEUED\r\n*1\r\n+OK\r\n")]
    public async Task Watched_keys_should_follow_Redis(string before, string transaction, string expected)
    {
        using var client = await RawClient.ConnectAsync(Port);
        await client.SendAsync(before);
        await Task.Delay(300);
        await client.SendAsync(transaction);
        var replies = await client.ReceiveAsync(4096, TimeSpan.FromSeconds(2));
        Assert.EndsWith(expected, replies, StringComparison.Ordinal);
    }

    // Commands pipelined around a transaction take effect in the order sent, the transaction as one step.
    [Fact]
    public async Task A_pipelined_transaction_should_keep_its_place_among_the_connections_commands() =>
        Assert.Equal("+OK\r\n+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n$1\r\n1\r\n+OK\r\n$1\r\n2\r\n",
            await Session("SET {o}k 1\r\nMULTI\r\nGET {o}k\r\nSET {o}k 2\r\nEXEC\r\nGET {o}k\r\n"));

    // Connection commands queued in a transaction run at EXEC, in their place among the replies.
    [Fact]
    public async Task Connection_commands_in_a_transaction_should_run_at_EXEC() =>
        Assert.Equal("+OK\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n*3\r\n+PONG\r\n+OK\r\n+OK\r\n$2\r\ntx\r\n",
            await Session("MULTI\r\nPING\r\nCLIENT SETNAME tx\r\nSET {q}a 1\r\nEXEC\r\nCLIENT GETNAME\r\n"));

    // Commands that must be one step need their keys on one shard, as in Redis Cluster.
    [Theory]
    [InlineData("MSETNX {e}k 1 {other}k 2\r\nEXISTS {e}k\r\n", "-CROSSSLOT Keys in request don't hash to the same slot\r\n:0\r\n")]
    [InlineData("SET {e}r 1\r\nRENAME {e}r {other}r\r\n", "+OK\r\n-CROSSSLOT Keys in request don't hash to the same slot\r\n")]
    [InlineData("SET {s}r 1\r\nRENAME {s}r {s}moved\r\nGET {s}moved\r\nMSETNX {s}x 1 {s}y 2\r\n", "+OK\r\n+OK\r\n$1\r\n1\r\n:1\r\n")]
    [InlineData("MSETNX {s}a 1 {s}b\r\n", "-ERR wrong number of arguments for 'msetnx' command\r\n")]
    public async Task Same_shard_commands_should_refuse_keys_on_different_shards(string input, string expected) =>
        Assert.Equal(expected, await Session(input));

    // k5440 and k18350 are in slots 1000 and 1001, on the same shard: still two slots, as Redis Cluster refuses.
    [Theory]
    [InlineData("MULTI\r\nSET k5440 1\r\nSET k18350 1\r\nEXEC\r\n", "+OK\r\n+QUEUED\r\n-CROSSSLOT Keys in request don't hash to the same slot\r\n-EXECABORT Transaction discarded because of previous errors.\r\n")]
    [InlineData("MSETNX k5440 1 k18350 2\r\n", "-CROSSSLOT Keys in request don't hash to the same slot\r\n")]
    [InlineData("CLUSTER KEYSLOT k5440\r\nCLUSTER KEYSLOT k18350\r\nCLUSTER KEYSLOT somekey\r\nCLUSTER KEYSLOT foo{hash_tag}\r\n", ":1000\r\n:1001\r\n:11058\r\n:2515\r\n")]
    public async Task Keys_in_different_slots_of_one_shard_should_answer_CROSSSLOT(string input, string expected) =>
        Assert.Equal(expected, await Session(input));

    // Options after the keys are not keys; HELLO would change how EXEC's own answer is written.
    [Theory]
    [InlineData("SET {c}a 1\r\nMULTI\r\nCOPY {c}a {c}b REPLACE\r\nEXEC\r\n", "+OK\r\n+OK\r\n+QUEUED\r\n*1\r\n:1\r\n")]
    [InlineData("MULTI\r\nHELLO 3\r\nEXEC\r\n", "+OK\r\n-ERR HELLO inside MULTI is not supported by AegisKV\r\n-EXECABORT Transaction discarded because of previous errors.\r\n")]
    public async Task Queued_commands_should_be_checked_as_their_kind_needs(string input, string expected) =>
        Assert.Equal(expected, await Session(input));

    [Fact]
    public async Task WATCH_of_keys_on_different_shards_should_answer_CROSSSLOT() =>
        Assert.Equal("-CROSSSLOT Keys in request don't hash to the same slot\r\n", await Session("WATCH {e}k {other}k\r\n"));

    [Fact]
    public async Task A_StackExchange_Redis_transaction_with_a_condition_should_commit_only_while_it_holds()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(Node.Endpoint);
        var db = redis.GetDatabase();
        await db.StringSetAsync("{c}balance", "10");

        var first = db.CreateTransaction();
        first.AddCondition(Condition.StringEqual("{c}balance", "10"));
        _ = first.StringSetAsync("{c}balance", "5");
        Assert.True(await first.ExecuteAsync());

        var second = db.CreateTransaction();
        second.AddCondition(Condition.StringEqual("{c}balance", "10"));
        _ = second.StringSetAsync("{c}balance", "0");
        Assert.False(await second.ExecuteAsync());
        Assert.Equal("5", await db.StringGetAsync("{c}balance"));
    }

    [Fact]
    public async Task A_StackExchange_Redis_transaction_should_commit()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(Node.Endpoint);
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
