using Xunit.Abstractions;

namespace AegisKV.Storage.Tests;

public sealed class JournalRoundTripTests(ITestOutputHelper output) : WalTestKit(output)
{
    [Fact]
    public async Task Persisted_events_are_recovered_in_order_by_a_new_actor_system()
    {
        var (actor, recovery) = await StartAsync(Sys, "round-trip");
        Assert.Empty(recovery.Events);
        await AppendManyAsync(actor, "event", 25);
        var (other, _) = await StartAsync(Sys, "other-id");
        await AppendAsync(other, "unrelated");

        var node = await RestartAsync(Sys);
        var (_, recovered) = await StartAsync(node, "round-trip");

        Assert.Equal(Enumerable.Range(1, 25).Select(i => $"event-{i}"), recovered.Events);
        Assert.Equal(25, recovered.LastSequenceNr);
        var (_, otherRecovered) = await StartAsync(node, "other-id");
        Assert.Equal(["unrelated"], otherRecovered.Events);
    }

    [Fact]
    public async Task A_recovered_actor_continues_with_the_next_sequence_number()
    {
        var (actor, _) = await StartAsync(Sys, "continue");
        await AppendManyAsync(actor, "e", 3);

        var node = await RestartAsync(Sys);
        var (recovered, _) = await StartAsync(node, "continue");

        Assert.Equal(4, await AppendAsync(recovered, "e-4"));
        node = await RestartAsync(node);
        var (_, again) = await StartAsync(node, "continue");
        Assert.Equal(["e-1", "e-2", "e-3", "e-4"], again.Events);
    }

    [Fact]
    public async Task Events_persisted_together_are_recovered_together()
    {
        var (actor, _) = await StartAsync(Sys, "atomic");
        await actor.Ask<EventLogActor.Appended>(new EventLogActor.AppendAll(["a", "b", "c"]), Timeout);
        await AppendAsync(actor, "d");

        var node = await RestartAsync(Sys);
        var (_, recovered) = await StartAsync(node, "atomic");

        Assert.Equal(["a", "b", "c", "d"], recovered.Events);
    }

    [Fact]
    public async Task Snapshots_and_events_after_them_are_recovered()
    {
        var (actor, _) = await StartAsync(Sys, "with-snapshot");
        await AppendManyAsync(actor, "e", 5);
        Assert.Equal(5, await actor.Ask<long>(EventLogActor.TakeSnapshot.Instance, Timeout));
        await AppendManyAsync(actor, "later", 2);

        var node = await RestartAsync(Sys);
        var (_, recovered) = await StartAsync(node, "with-snapshot");

        Assert.Equal(["e-1", "e-2", "e-3", "e-4", "e-5", "later-1", "later-2"], recovered.Events);
        Assert.Equal(7, recovered.LastSequenceNr);
    }

    [Fact]
    public async Task The_epoch_of_a_payload_goes_into_the_record_header()
    {
        var (actor, _) = await StartAsync(Sys, "epochs");
        await actor.Ask<EventLogActor.Appended>(new EventLogActor.AppendObject(new EpochEvent(42, "with epoch")), Timeout);
        await AppendAsync(actor, "without epoch");

        var records = SegmentInspector.Records(Assert.Single(Segments()));

        Assert.Equal([42L, 0L], records.Where(r => r.PersistenceId == "epochs").Select(r => r.Epoch));
    }

    [Fact]
    public async Task A_payload_that_cannot_be_serialized_is_rejected_without_harming_other_writes()
    {
        var (actor, _) = await StartAsync(Sys, "rejecting");
        await AppendAsync(actor, "before");

        var rejected = await actor.Ask<EventLogActor.Rejected>(new EventLogActor.AppendObject(new Unserializable()), Timeout);
        Assert.Equal(2, rejected.SequenceNr);
        await AppendAsync(actor, "after");

        var node = await RestartAsync(Sys);
        var (_, recovered) = await StartAsync(node, "rejecting");
        Assert.Equal(["before", "after"], recovered.Events);
        Assert.Equal(3, recovered.LastSequenceNr);
    }

    public sealed record EpochEvent(long Epoch, string Value) : IWalEpoch;

    public sealed class Unserializable
    {
        public string Value => throw new InvalidOperationException("cannot serialize me");
    }
}
