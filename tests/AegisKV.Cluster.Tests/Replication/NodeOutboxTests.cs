using Akka.TestKit.Xunit2;
using AegisKV.Cluster.Replication;
using AegisKV.Core.Replication;
using AegisKV.Replication;

namespace AegisKV.Cluster.Tests.Replication;

public sealed class NodeOutboxTests : TestKit
{
    private static readonly Epoch Epoch = new(3, "node-1/abcd0123");

    private static ReplicaEnvelope Fetch(int shard, long after) => new(shard, new Fetch("node-1/abcd0123", "node-2/ef456789", Epoch, after));

    private static ReplicaEnvelope Append(int shard, int payloadBytes) =>
        new(shard, new Append("node-1/abcd0123", "node-2/ef456789", Epoch, 3, 10, [new LogEntry(3, 11, new byte[payloadBytes])], 10, 0));

    // An outbox whose runs are held until the test lets them go.
    private (NodeOutbox Outbox, Queue<IThreadPoolWorkItem> Runs, ReplicationStatus Status) Held(bool hostKnown = true, bool takesBatches = true)
    {
        var runs = new Queue<IThreadPoolWorkItem>();
        var status = new ReplicationStatus();
        var host = TestActor;
        return (new NodeOutbox(() => new NodeOutbox.Peer(hostKnown ? host : null, takesBatches), status, runs.Enqueue), runs, status);
    }

    [Fact]
    public void What_is_queued_while_a_send_waits_should_go_as_one_batch_in_order()
    {
        var (outbox, runs, status) = Held();
        for (var i = 0; i < 5; i++) outbox.Post(Fetch(i, 100 + i));
        Assert.Single(runs);

        runs.Dequeue().Execute();

        var batch = ExpectMsg<ReplicaBatch>();
        Assert.Equal([0, 1, 2, 3, 4], batch.Envelopes.Select(e => e.ShardId));
        Assert.Equal([100L, 101, 102, 103, 104], batch.Envelopes.Select(e => ((Fetch)e.Message).After));
        Assert.Equal((5, 1), (status.MessagesSent, status.RemoteSends));
        Assert.Empty(runs);
    }

    [Fact]
    public void A_lone_message_should_go_as_its_own_envelope()
    {
        var (outbox, runs, _) = Held();
        outbox.Post(Fetch(7, 1));
        runs.Dequeue().Execute();

        Assert.Equal(7, ExpectMsg<ReplicaEnvelope>().ShardId);
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void A_message_queued_after_a_run_has_started_should_get_a_run_of_its_own()
    {
        var (outbox, runs, status) = Held();
        outbox.Post(Fetch(1, 1));
        var first = runs.Dequeue();
        first.Execute();
        outbox.Post(Fetch(2, 2));

        Assert.Single(runs);
        runs.Dequeue().Execute();
        Assert.Equal(1, ExpectMsg<ReplicaEnvelope>().ShardId);
        Assert.Equal(2, ExpectMsg<ReplicaEnvelope>().ShardId);
        Assert.Equal(2, status.RemoteSends);
    }

    [Fact]
    public void A_node_that_does_not_read_batches_should_get_each_message_alone_in_order()
    {
        var (outbox, runs, status) = Held(takesBatches: false);
        for (var i = 0; i < 3; i++) outbox.Post(Fetch(i, i));
        runs.Dequeue().Execute();

        for (var i = 0; i < 3; i++) Assert.Equal(i, ExpectMsg<ReplicaEnvelope>().ShardId);
        Assert.Equal((3, 3), (status.MessagesSent, status.RemoteSends));
    }

    [Fact]
    public void Large_entries_should_split_batches_without_reordering_them()
    {
        var (outbox, runs, _) = Held();
        outbox.Post(Fetch(1, 1));
        outbox.Post(Append(2, NodeOutbox.MaxBatchBytes + 1));
        outbox.Post(Fetch(3, 3));
        outbox.Post(Append(4, NodeOutbox.MaxBatchBytes / 2));
        outbox.Post(Append(5, NodeOutbox.MaxBatchBytes / 2 + 1));
        runs.Dequeue().Execute();

        Assert.Equal(1, ExpectMsg<ReplicaEnvelope>().ShardId);
        Assert.Equal(2, ExpectMsg<ReplicaEnvelope>().ShardId);
        Assert.Equal([3, 4], ExpectMsg<ReplicaBatch>().Envelopes.Select(e => e.ShardId));
        Assert.Equal(5, ExpectMsg<ReplicaEnvelope>().ShardId);
    }

    [Fact]
    public void A_batch_should_hold_at_most_its_count_of_messages()
    {
        var (outbox, runs, status) = Held();
        for (var i = 0; i < NodeOutbox.MaxBatchMessages + 1; i++) outbox.Post(Fetch(i, i));
        runs.Dequeue().Execute();

        Assert.Equal(NodeOutbox.MaxBatchMessages, ExpectMsg<ReplicaBatch>().Envelopes.Count);
        Assert.Equal(NodeOutbox.MaxBatchMessages, ExpectMsg<ReplicaEnvelope>().ShardId);
        Assert.Equal(2, status.RemoteSends);
    }

    [Fact]
    public void Messages_for_a_node_that_cannot_be_reached_should_be_dropped_and_counted()
    {
        var (outbox, runs, status) = Held(hostKnown: false);
        outbox.Post(Fetch(1, 1));
        outbox.Post(Fetch(2, 2));
        runs.Dequeue().Execute();

        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Assert.Equal((2, 0L), (status.Dropped, status.MessagesSent));
    }

    [Fact]
    public void A_run_that_fails_should_leave_the_outbox_sending_again()
    {
        var runs = new Queue<IThreadPoolWorkItem>();
        var host = TestActor;
        var calls = 0;
        var outbox = new NodeOutbox(() => ++calls == 1 ? throw new InvalidOperationException("membership changing") : new NodeOutbox.Peer(host, true),
            new ReplicationStatus(), runs.Enqueue);
        outbox.Post(Fetch(1, 1));
        runs.Dequeue().Execute();

        // What it had not taken yet is still queued, and a run for it too.
        runs.Dequeue().Execute();
        Assert.Equal(1, ExpectMsg<ReplicaEnvelope>().ShardId);
        outbox.Post(Fetch(2, 2));
        runs.Dequeue().Execute();
        Assert.Equal(2, ExpectMsg<ReplicaEnvelope>().ShardId);
    }

    [Fact]
    public void Senders_on_many_threads_should_each_see_their_messages_arrive_in_order()
    {
        const int threads = 4, each = 2_000;
        var status = new ReplicationStatus();
        var host = TestActor;
        var outbox = new NodeOutbox(() => new NodeOutbox.Peer(host, true), status);

        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            for (var i = 0; i < each; i++) outbox.Post(Fetch(t, i));
        });

        var next = new long[threads];
        var received = 0;
        while (received < threads * each)
        {
            var message = ReceiveOne(TimeSpan.FromSeconds(10)) ?? throw new TimeoutException($"{received} of {threads * each} messages arrived");
            IEnumerable<ReplicaEnvelope> envelopes = message is ReplicaBatch batch ? batch.Envelopes : [(ReplicaEnvelope)message];
            foreach (var envelope in envelopes)
            {
                Assert.Equal(next[envelope.ShardId]++, ((Fetch)envelope.Message).After);
                received++;
            }
        }

        Assert.Equal(threads * each, status.MessagesSent);
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }
}
