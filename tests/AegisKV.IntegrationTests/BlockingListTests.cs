using System.Diagnostics;

namespace AegisKV.IntegrationTests;

/// <summary>BLPOP and kin on a real node: held on the shard, served by a push in arrival order, timed out, cancelled on disconnect.</summary>
public sealed class BlockingListTests(SharedNode node) : IClassFixture<SharedNode>
{
    private int Port => node.Port;

    private Task<string> Session(string input) => RawClient.SessionAsync(Port, input);

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task A_blocked_pop_should_be_served_by_a_push_from_another_client()
    {
        using var waiter = await RawClient.ConnectAsync(Port);
        await waiter.SendAsync("BLPOP {q}a {q}b 0\r\n");
        Assert.Equal("", await waiter.ReceiveAsync(1, Quiet));
        Assert.Equal(":1\r\n", await Session("RPUSH {q}b hello\r\n"));
        await waiter.ExpectAsync(Wait, "*2\r\n$4\r\n{q}b\r\n$5\r\nhello\r\n");
        Assert.Equal(":0\r\n", await Session("EXISTS {q}b\r\n"));
    }

    [Fact]
    public async Task A_blocked_pop_should_answer_nil_when_its_timeout_passes()
    {
        using var waiter = await RawClient.ConnectAsync(Port);
        var clock = Stopwatch.StartNew();
        await waiter.SendAsync("BRPOP {t}a 0.4\r\nBLMOVE {t}a {t}b LEFT RIGHT 0.2\r\n");
        await waiter.ExpectAsync(Wait, "*-1\r\n$-1\r\n");
        Assert.InRange(clock.ElapsedMilliseconds, 550, 5000);
    }

    [Fact]
    public async Task Clients_blocked_on_one_key_should_be_served_in_the_order_they_came()
    {
        using var first = await RawClient.ConnectAsync(Port);
        using var second = await RawClient.ConnectAsync(Port);
        await first.SendAsync("BLPOP {f}k 0\r\n");
        Assert.Equal("", await first.ReceiveAsync(1, Quiet));
        await second.SendAsync("BLPOP {f}k 0\r\n");
        Assert.Equal("", await second.ReceiveAsync(1, Quiet));
        Assert.Equal(":2\r\n", await Session("RPUSH {f}k one two\r\n"));
        await first.ExpectAsync(Wait, "*2\r\n$4\r\n{f}k\r\n$3\r\none\r\n");
        await second.ExpectAsync(Wait, "*2\r\n$4\r\n{f}k\r\n$3\r\ntwo\r\n");
    }

    [Fact]
    public async Task A_client_that_closed_while_blocked_should_take_nothing()
    {
        using (var gone = await RawClient.ConnectAsync(Port))
        {
            await gone.SendAsync("BLPOP {c}k 0\r\n");
            Assert.Equal("", await gone.ReceiveAsync(1, Quiet));
        }

        // The close reaches the node and its shard before the push.
        await Task.Delay(Quiet);
        Assert.Equal(":1\r\n", await Session("RPUSH {c}k kept\r\n"));
        Assert.Equal("*1\r\n$4\r\nkept\r\n", await Session("LRANGE {c}k 0 -1\r\n"));
    }

    [Fact]
    public async Task Commands_sent_after_a_blocked_pop_should_wait_for_it()
    {
        using var waiter = await RawClient.ConnectAsync(Port);
        await waiter.SendAsync("BLPOP {o}k 0\r\nSET {o}after 1\r\n");
        Assert.Equal("", await waiter.ReceiveAsync(1, Quiet));
        Assert.Equal(":0\r\n", await Session("EXISTS {o}after\r\n"));
        Assert.Equal(":1\r\n", await Session("RPUSH {o}k v\r\n"));
        await waiter.ExpectAsync(Wait, "*2\r\n$4\r\n{o}k\r\n$1\r\nv\r\n+OK\r\n");
        Assert.Equal(":1\r\n", await Session("EXISTS {o}after\r\n"));
    }

    [Fact]
    public async Task A_blocking_pop_inside_MULTI_should_not_wait() =>
        Assert.Equal("+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n*-1\r\n$-1\r\n",
            await Session("MULTI\r\nBLPOP {m}k 0\r\nBRPOPLPUSH {m}k {m}d 0\r\nEXEC\r\n"));

    [Fact]
    public async Task A_blocked_move_should_be_served_and_wake_a_client_waiting_on_its_destination()
    {
        using var mover = await RawClient.ConnectAsync(Port);
        using var reader = await RawClient.ConnectAsync(Port);
        await mover.SendAsync("BLMOVE {v}src {v}dst RIGHT LEFT 0\r\n");
        await reader.SendAsync("BLPOP {v}dst 0\r\n");
        Assert.Equal("", await reader.ReceiveAsync(1, Quiet));
        Assert.Equal(":1\r\n", await Session("LPUSH {v}src item\r\n"));
        await mover.ExpectAsync(Wait, "$4\r\nitem\r\n");
        await reader.ExpectAsync(Wait, "*2\r\n$6\r\n{v}dst\r\n$4\r\nitem\r\n");
    }
}
