using Akka.Actor;
using AegisKV.Core.Commands;
using AegisKV.Core.Replies;
using AegisKV.Core.Sharding;
using AegisKV.Server.Resp;

namespace AegisKV.IntegrationTests;

public sealed class ReplyInboxTests : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("inbox");

    public void Dispose() => _system.Dispose();

    // A shard that never answers: the client gets -TRYAGAIN after the request timeout, not silence.
    [Fact]
    public async Task A_request_nobody_answers_should_get_TRYAGAIN_after_the_timeout()
    {
        var silent = _system.ActorOf(Props.Empty, "silent-region");
        using var inbox = new ReplyInbox(_system, silent, new LocalShards(), 4, TimeSpan.FromMilliseconds(300));
        var started = DateTime.UtcNow;
        var replies = await inbox.SendAsync(1, [new ShardCommand(CommandId.Get, ["k"u8.ToArray()])]).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Same(Errors.TryAgain, Assert.Single(replies));
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(3));
    }

    // A request that timed out may still run later (it waits in the region while its shard moves). A later request
    // of the same connection must not overtake it on another path: it follows it through the region.
    [Fact]
    public async Task A_request_after_a_timed_out_one_should_follow_it_rather_than_take_a_faster_path()
    {
        var region = _system.ActorOf(Props.Create(() => new HeldShard()), "slow-region");
        var direct = _system.ActorOf(Props.Create(() => new HeldShard()), "local-shard");
        var local = new LocalShards();
        using var inbox = new ReplyInbox(_system, region, local, 4, TimeSpan.FromMilliseconds(200));

        var first = await inbox.SendAsync(1, [Set("1")]).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Same(Errors.TryAgain, Assert.Single(first));
        local.Serving(1, direct);
        var second = inbox.SendAsync(1, [Set("2")]);
        await Task.Delay(300);

        // Not straight to the shard that now serves here: behind the first, in the region.
        Assert.Equal(0, await direct.Ask<int>(HeldShard.Count.Instance));
        Assert.Equal(["1", "2"], await region.Ask<string[]>(HeldShard.Values.Instance));
        region.Tell(HeldShard.Release.Instance);
        await second.WaitAsync(TimeSpan.FromSeconds(5));
    }

    // A request sent straight to a shard actor that then hands off is forwarded to the region by it; a later
    // request of the same connection, which now takes the region itself, must not get there first.
    [Fact]
    public async Task A_request_after_one_sent_to_a_shard_that_left_should_wait_for_it()
    {
        var region = _system.ActorOf(Props.Create(() => new HeldShard()), "region");
        var leaving = _system.ActorOf(Props.Create(() => new HeldShard()), "leaving-shard");
        var local = new LocalShards();
        local.Serving(2, leaving);
        using var inbox = new ReplyInbox(_system, region, local, 4, TimeSpan.FromSeconds(10));

        var first = inbox.SendAsync(2, [Set("1")]);
        local.Leaving(2, leaving);
        var second = inbox.SendAsync(2, [Set("2")]);
        await Task.Delay(300);

        Assert.Equal(0, await region.Ask<int>(HeldShard.Count.Instance));
        leaving.Tell(HeldShard.Release.Instance);
        Assert.Equal(Reply.Ok, Assert.Single(await first.WaitAsync(TimeSpan.FromSeconds(5))));
        await AwaitUntil(async () => await region.Ask<int>(HeldShard.Count.Instance) == 1);
        region.Tell(HeldShard.Release.Instance);
        Assert.Equal(Reply.Ok, Assert.Single(await second.WaitAsync(TimeSpan.FromSeconds(5))));
    }

    private static ShardCommand Set(string value) => new(CommandId.Set, ["k"u8.ToArray(), System.Text.Encoding.ASCII.GetBytes(value)]);

    private static async Task AwaitUntil(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 100 && !await condition(); i++) await Task.Delay(50);
        Assert.True(await condition());
    }

    // Keeps the batches it receives unanswered until told to answer them all with OK.
    private sealed class HeldShard : ReceiveActor
    {
        private readonly List<(IActorRef Sender, ShardBatch Batch)> _held = [];

        public HeldShard()
        {
            Receive<ShardBatch>(batch => _held.Add((Sender, batch)));
            Receive<Count>(_ => Sender.Tell(_held.Count));
            Receive<Values>(_ => Sender.Tell(_held.Select(h => System.Text.Encoding.ASCII.GetString(h.Batch.Commands[0].Arguments[1])).ToArray()));
            Receive<Release>(_ =>
            {
                foreach (var (sender, batch) in _held) sender.Tell(new ShardBatchReply(batch.RequestId, [.. batch.Commands.Select(_ => Reply.Ok)]));
                _held.Clear();
            });
        }

        public sealed class Count
        {
            public static readonly Count Instance = new();
        }

        public sealed class Values
        {
            public static readonly Values Instance = new();
        }

        public sealed class Release
        {
            public static readonly Release Instance = new();
        }
    }
}
