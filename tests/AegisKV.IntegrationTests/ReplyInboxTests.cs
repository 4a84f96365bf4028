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
}
