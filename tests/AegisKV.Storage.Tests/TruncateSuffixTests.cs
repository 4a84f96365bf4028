using Akka.Actor;
using Xunit.Abstractions;

namespace AegisKV.Storage.Tests;

public sealed class TruncateSuffixTests(ITestOutputHelper output) : WalTestKit(output)
{
    [Fact]
    public async Task Truncated_records_are_never_replayed_again_and_their_sequence_numbers_are_reused()
    {
        var (actor, _) = await StartAsync(Sys, "follower");
        await AppendManyAsync(actor, "e", 10);
        var probe = CreateTestProbe();
        Journal(Sys).Tell(new TruncateSuffix("follower", 7), probe.Ref);
        Assert.Equal(new TruncateSuffixSuccess("follower", 7), await probe.ExpectMsgAsync<TruncateSuffixSuccess>(Timeout));

        // A new incarnation in the same process already sees the shorter log.
        await WatchAndStopAsync(actor);
        var (_, sameProcess) = await StartAsync(Sys, "follower");
        Assert.Equal(6, sameProcess.LastSequenceNr);

        var node = await RestartAsync(Sys);
        var (recoveredActor, recovered) = await StartAsync(node, "follower");
        Assert.Equal(Enumerable.Range(1, 6).Select(i => $"e-{i}"), recovered.Events);
        Assert.Equal(6, recovered.LastSequenceNr);
        Assert.Equal(7, await AppendAsync(recoveredActor, "new-7"));

        node = await RestartAsync(node);
        var (_, again) = await StartAsync(node, "follower");
        Assert.Equal(Enumerable.Range(1, 6).Select(i => $"e-{i}").Append("new-7"), again.Events);
    }

    [Fact]
    public async Task An_invalid_truncation_is_answered_with_a_failure()
    {
        var probe = CreateTestProbe();
        Journal(Sys).Tell(new TruncateSuffix("anything", 0), probe.Ref);
        await probe.ExpectMsgAsync<Status.Failure>(Timeout);
    }

    private async Task WatchAndStopAsync(IActorRef actor)
    {
        var watcher = CreateTestProbe();
        watcher.Watch(actor);
        actor.Tell(PoisonPill.Instance);
        await watcher.ExpectTerminatedAsync(actor, Timeout);
    }
}
