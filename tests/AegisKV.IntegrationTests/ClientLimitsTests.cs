using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AegisKV.IntegrationTests;

/// <summary>Redis's client limits: how many, how idle, how much buffered in and out.</summary>
public sealed class ClientLimitsTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact(Timeout = 60_000)]
    public async Task A_client_past_max_clients_should_be_told_so_and_closed_and_a_freed_place_taken_again()
    {
        await using var node = await TestNode.StartAsync(new() { ["max-clients"] = "2" });
        using var first = await Connected(node);
        var second = await Connected(node);

        using (var third = await RawClient.ConnectAsync(node.Node.ClientPort))
        {
            var (text, closed) = await third.ReceiveUntilClosedAsync(Wait);
            Assert.Equal("-ERR max number of clients reached\r\n", text);
            Assert.True(closed);
        }

        second.Dispose();
        await Eventually(async () =>
        {
            using var again = await RawClient.ConnectAsync(node.Node.ClientPort);
            await again.SendAsync("PING\r\n");
            return await again.ReceiveAsync(7, Wait) == "+PONG\r\n";
        });
        await node.StopAndDeleteDataAsync();
    }

    [Fact(Timeout = 60_000)]
    public async Task An_idle_client_should_be_closed_after_the_timeout_and_a_busy_one_kept()
    {
        await using var node = await TestNode.StartAsync(new() { ["timeout"] = "2" });
        using var idle = await Connected(node);
        using var busy = await Connected(node);

        // The busy client's longest pause is well under the timeout, even on a loaded machine.
        var idleClosed = idle.ReceiveUntilClosedAsync(TimeSpan.FromSeconds(10));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(100);
            await busy.SendAsync("PING\r\n");
            Assert.Equal("+PONG\r\n", await busy.ReceiveAsync(7, Wait));
        }

        var (text, closed) = await idleClosed;
        Assert.True(closed, "the idle client was not closed within 10 s with --timeout 2");
        Assert.Equal("", text);
        await node.StopAndDeleteDataAsync();
    }

    [Fact(Timeout = 60_000)]
    public async Task A_client_that_does_not_read_its_replies_should_be_disconnected_at_the_output_limit()
    {
        await using var node = await TestNode.StartAsync(new() { ["limits.max-output-buffer"] = "256KiB" });
        using var client = await Connected(node);
        await client.SendAsync($"*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$100000\r\n{new string('v', 100_000)}\r\n");
        Assert.Equal("+OK\r\n", await client.ReceiveAsync(5, Wait));

        // 200 MB of replies asked for and none read: the node must give up long before holding them.
        var gets = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("GET big\r\n", 2_000)));
        await client.SendAsync(gets);
        await Task.Delay(500);
        var (text, closed) = await client.ReceiveUntilClosedAsync(Wait);
        Assert.True(closed, "the connection stayed open");
        Assert.True(text.Length < 100 << 20, $"{text.Length} bytes of replies arrived");
        await AssertServing(node);
        await node.StopAndDeleteDataAsync();
    }

    [Fact(Timeout = 60_000)]
    public async Task A_backlog_of_replies_read_late_should_arrive_whole_and_in_order()
    {
        await using var node = await TestNode.StartAsync();
        using var client = await Connected(node);
        // Values of 300 KB, each marked with its number: the backlog is held in pieces, and no piece may be
        // lost, repeated or written out of order.
        var expected = new StringBuilder();
        for (var i = 0; i < 8; i++)
        {
            var value = $"{i}:" + new string((char)('a' + i), 300_000);
            await client.SendAsync($"*3\r\n$3\r\nSET\r\n$7\r\nbacklog\r\n${value.Length}\r\n{value}\r\n" + string.Concat(Enumerable.Repeat("GET backlog\r\n", 5)));
            expected.Append("+OK\r\n");
            for (var n = 0; n < 5; n++) expected.Append($"${value.Length}\r\n{value}\r\n");
        }

        await Task.Delay(500); // the node writes what it can and holds the rest, unread
        Assert.Equal(expected.ToString(), await client.ReceiveAsync(expected.Length, Wait));
        await node.StopAndDeleteDataAsync();
    }

    [Fact(Timeout = 60_000)]
    public async Task A_request_larger_than_the_query_buffer_limit_should_be_refused_and_the_client_closed()
    {
        await using var node = await TestNode.StartAsync(new() { ["limits.max-query-buffer"] = "64KiB" });
        using var client = await Connected(node);
        await client.SendAsync("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1000000\r\n" + new string('v', 100_000));
        var (text, closed) = await client.ReceiveUntilClosedAsync(Wait);
        Assert.Equal("-ERR client query buffer limit of 65536 bytes reached\r\n", text);
        Assert.True(closed);
        await AssertServing(node);
        await node.StopAndDeleteDataAsync();
    }

    [Fact(Timeout = 60_000)]
    public async Task The_client_that_passes_the_node_request_budget_should_be_refused_and_the_others_served()
    {
        await using var node = await TestNode.StartAsync(new() { ["limits.max-buffered-requests"] = "256KiB" });
        using var first = await Connected(node);
        using var second = await Connected(node);
        const string partial = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$200000\r\n";

        await first.SendAsync(partial + new string('a', 100_000));
        await Task.Delay(300);
        await second.SendAsync(partial.Replace("200000", "300000") + new string('b', 200_000));
        var (text, closed) = await second.ReceiveUntilClosedAsync(Wait);
        Assert.Equal("-ERR node request buffer limit of 262144 bytes reached\r\n", text);
        Assert.True(closed);

        await first.SendAsync(new string('a', 100_000) + "\r\nSTRLEN k\r\n");
        Assert.Equal("+OK\r\n:200000\r\n", await first.ReceiveAsync(14, Wait));
        await node.StopAndDeleteDataAsync();
    }

    // After QUIT the node stops reading: a client that goes on sending finds the connection closed
    // rather than the node reading and dropping whatever it is sent.
    [Fact(Timeout = 60_000)]
    public async Task After_QUIT_the_node_should_stop_reading_and_close()
    {
        await using var node = await TestNode.StartAsync();
        using var client = await Connected(node);
        await client.SendAsync("QUIT\r\n");
        Assert.Equal("+OK\r\n", await client.ReceiveAsync(5, Wait));

        var chunk = new byte[1 << 20];
        long written = 0;
        using var timeout = new CancellationTokenSource(Wait);
        var ended = false;
        try
        {
            while (written < 1L << 30 && !timeout.IsCancellationRequested)
            {
                written += await client.Socket.SendAsync(chunk, SocketFlags.None, timeout.Token);
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            ended = e is SocketException;
        }

        Assert.True(ended, $"the connection was still open after QUIT, {written >> 20} MiB written");
        Assert.True(written < 256L << 20, $"{written >> 20} MiB were taken after QUIT");
        await node.StopAndDeleteDataAsync();
    }

    [Theory(Timeout = 60_000)]
    [InlineData("0.0.0.0:0", "127.0.0.1")]
    [InlineData("[::]:0", "::1")]
    [InlineData("[::]:0", "127.0.0.1")]
    public async Task Binding_every_interface_should_serve_clients_on_loopback(string bind, string address)
    {
        await using var node = await TestNode.StartAsync(new() { ["bind"] = bind });
        using var client = await RawClient.ConnectAsync(node.Node.ClientPort, IPAddress.Parse(address));
        await client.SendAsync("PING\r\n");
        Assert.Equal("+PONG\r\n", await client.ReceiveAsync(7, Wait));
        await node.StopAndDeleteDataAsync();
    }

    private static async Task<RawClient> Connected(TestNode node)
    {
        var client = await RawClient.ConnectAsync(node.Node.ClientPort);
        await client.SendAsync("PING\r\n");
        Assert.Equal("+PONG\r\n", await client.ReceiveAsync(7, Wait));
        return client;
    }

    private static async Task AssertServing(TestNode node)
    {
        using var client = await Connected(node);
        await client.SendAsync("SET still serving\r\nGET still\r\n");
        Assert.Equal("+OK\r\n$7\r\nserving\r\n", await client.ReceiveAsync(18, Wait));
    }

    private static async Task Eventually(Func<Task<bool>> condition)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            if (await condition()) return;
            await Task.Delay(100);
        }

        Assert.Fail("the condition did not hold within 5 s");
    }
}
