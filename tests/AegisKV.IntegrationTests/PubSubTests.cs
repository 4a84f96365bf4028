using System.Diagnostics;
using System.Text;
using StackExchange.Redis;

namespace AegisKV.IntegrationTests;

/// <summary>Pub/sub on one node, with Redis 7's frames: RESP2 subscribe mode, RESP3 pushes, patterns, shard channels, keyspace notifications.</summary>
public sealed class PubSubTests(SharedNode node) : IClassFixture<SharedNode>
{
    private int Port => node.Port;

    private Task<string> Session(string input) => RawClient.SessionAsync(Port, input);

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task A_subscriber_should_get_messages_of_its_channels_and_patterns()
    {
        using var subscriber = await RawClient.ConnectAsync(Port);
        await subscriber.SendAsync("SUBSCRIBE news sport\r\nPSUBSCRIBE n*\r\n");
        await subscriber.ExpectAsync(Wait, "*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$5\r\nsport\r\n:2\r\n" +
                                 "*3\r\n$10\r\npsubscribe\r\n$2\r\nn*\r\n:3\r\n");
        Assert.Equal(":2\r\n", await Session("PUBLISH news hello\r\n"));
        await subscriber.ExpectAsync(Wait, "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n*4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$5\r\nhello\r\n");
        Assert.Equal("*1\r\n$4\r\nnews\r\n", await Session("PUBSUB CHANNELS n*\r\n"));
        Assert.Equal("*4\r\n$4\r\nnews\r\n:1\r\n$5\r\nother\r\n:0\r\n:1\r\n", await Session("PUBSUB NUMSUB news other\r\nPUBSUB NUMPAT\r\n"));
        Assert.Equal(":0\r\n", await Session("PUBLISH zzz x\r\n"));
    }

    [Fact]
    public async Task A_RESP2_subscriber_should_run_only_pubsub_commands_until_it_unsubscribes()
    {
        using var subscriber = await RawClient.ConnectAsync(Port);
        await subscriber.SendAsync("SUBSCRIBE a\r\nGET k\r\nPING\r\nUNSUBSCRIBE\r\nGET k\r\nUNSUBSCRIBE\r\n");
        await subscriber.ExpectAsync(Wait, "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n" +
                                 "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n" +
                                 "*2\r\n$4\r\npong\r\n$0\r\n\r\n*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:0\r\n$-1\r\n*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n");
    }

    [Fact]
    public async Task A_RESP3_subscriber_should_get_pushes_and_run_any_command()
    {
        using var subscriber = await RawClient.ConnectAsync(Port);
        await subscriber.SendAsync("HELLO 3\r\n");
        await Task.Delay(Quiet);
        Assert.Contains("proto", await subscriber.ReceiveAsync(4096, Quiet));
        await subscriber.SendAsync("SUBSCRIBE a\r\nGET k\r\n");
        await subscriber.ExpectAsync(Wait, ">3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n_\r\n");
        Assert.Equal(":1\r\n", await Session("PUBLISH a m\r\n"));
        await subscriber.ExpectAsync(Wait, ">3\r\n$7\r\nmessage\r\n$1\r\na\r\n$1\r\nm\r\n");
    }

    [Fact]
    public async Task Shard_channels_should_be_apart_from_channels_and_in_one_slot()
    {
        using var subscriber = await RawClient.ConnectAsync(Port);
        await subscriber.SendAsync("SSUBSCRIBE {s}a {s}b\r\nSSUBSCRIBE {s}a other\r\n");
        await subscriber.ExpectAsync(Wait, "*3\r\n$10\r\nssubscribe\r\n$4\r\n{s}a\r\n:1\r\n*3\r\n$10\r\nssubscribe\r\n$4\r\n{s}b\r\n:2\r\n" +
                                 "-CROSSSLOT Keys in request don't hash to the same slot\r\n");
        Assert.Equal(":0\r\n:1\r\n", await Session("PUBLISH {s}a x\r\nSPUBLISH {s}a y\r\n"));
        await subscriber.ExpectAsync(Wait, "*3\r\n$8\r\nsmessage\r\n$4\r\n{s}a\r\n$1\r\ny\r\n");
    }

    [Fact]
    public async Task StackExchange_Redis_should_subscribe_and_receive()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{Port}");
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal("orders"), (_, message) => received.TrySetResult(message!));
        Assert.Equal(1, await redis.GetSubscriber().PublishAsync(RedisChannel.Literal("orders"), "one"));
        Assert.Equal("one", await received.Task.WaitAsync(Wait));
    }

    // A subscriber that reads nothing is cut at its output buffer limit; the publisher never waits for it.
    [Fact]
    public async Task A_subscriber_that_does_not_read_should_be_disconnected_without_slowing_the_publisher()
    {
        await using var node = await TestNode.StartAsync(new() { ["limits.max-output-buffer"] = "256KiB" });
        var port = node.Node.ClientPort;
        using var slow = await RawClient.ConnectAsync(port);
        slow.Socket.ReceiveBufferSize = 4096;
        await slow.SendAsync("SUBSCRIBE firehose\r\n");
        await slow.ReceiveAsync(37, Wait);
        await using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port}");
        var db = redis.GetDatabase();
        var payload = new string('x', 64 * 1024);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 400; i++) await db.PublishAsync(RedisChannel.Literal("firehose"), payload);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"400 publishes took {clock.Elapsed}");
        var (_, closed) = await slow.ReceiveUntilClosedAsync(Wait);
        Assert.True(closed);
        Assert.Equal(0, await db.PublishAsync(RedisChannel.Literal("firehose"), "after"));
    }

    [Fact]
    public async Task Keyspace_notifications_should_tell_of_set_and_expired_keys()
    {
        Assert.Equal("+OK\r\n*2\r\n$22\r\nnotify-keyspace-events\r\n$4\r\n$xKE\r\n",
            await Session("CONFIG SET notify-keyspace-events KEx$\r\nCONFIG GET notify-keyspace-events\r\n"));
        using var subscriber = await RawClient.ConnectAsync(Port);
        await subscriber.SendAsync("SUBSCRIBE __keyspace@0__:k __keyevent@0__:expired\r\n");
        await subscriber.ExpectAsync(Wait, "*3\r\n$9\r\nsubscribe\r\n$16\r\n__keyspace@0__:k\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$22\r\n__keyevent@0__:expired\r\n:2\r\n");
        Assert.Equal("+OK\r\n", await Session("SET k v PX 50\r\n"));
        await subscriber.ExpectAsync(Wait, "*3\r\n$7\r\nmessage\r\n$16\r\n__keyspace@0__:k\r\n$3\r\nset\r\n");
        await subscriber.ExpectAsync(Wait, "*3\r\n$7\r\nmessage\r\n$16\r\n__keyspace@0__:k\r\n$7\r\nexpired\r\n" +
                                 "*3\r\n$7\r\nmessage\r\n$22\r\n__keyevent@0__:expired\r\n$1\r\nk\r\n");
    }
}
