using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using AegisKV.Core.Replies;
using AegisKV.Server.Resp;

namespace AegisKV.IntegrationTests;

public sealed class OrderedBatchesTests : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("batches");

    public void Dispose() => _system.Dispose();

    // Batches finish in any order, some at once, some later from other threads: their replies leave in the order the
    // batches came, and no more than the parallelism run at once.
    [Fact]
    public async Task Replies_should_leave_in_the_order_of_their_batches_with_at_most_the_parallelism_running()
    {
        const int batches = 300, parallelism = 8;
        var running = 0;
        var mostRunning = 0;
        async Task<Reply[]> Execute(IReadOnlyList<Incoming> batch)
        {
            var n = int.Parse(batch[0].ProtocolError!);
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref mostRunning, now);
            try
            {
                if (n % 3 != 0) await Task.Delay(Random.Shared.Next(0, 4)).ConfigureAwait(false);
                return [Reply.Integer(n)];
            }
            finally
            {
                Interlocked.Decrement(ref running);
            }
        }

        var replies = await Source.From(Enumerable.Range(0, batches).Select(n => (IReadOnlyList<Incoming>)[new Incoming(null, n.ToString())]))
            .Via(new OrderedBatches(parallelism, Execute))
            .RunWith(Sink.Seq<Reply[]>(), _system.Materializer())
            .WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(Enumerable.Range(0, batches).Select(n => Reply.Integer(n).ToString()), replies.Select(r => Assert.Single(r).ToString()));
        Assert.InRange(mostRunning, 2, parallelism);
    }

    [Fact]
    public async Task A_batch_that_fails_should_fail_the_stream_after_the_replies_before_it()
    {
        var passed = new List<Reply[]>();
        Task<Reply[]> Execute(IReadOnlyList<Incoming> batch) => batch[0].ProtocolError == "2"
            ? Task.FromException<Reply[]>(new InvalidOperationException("batch 2"))
            : Task.Run(() => new[] { Reply.Ok });

        var run = Source.From(Enumerable.Range(0, 5).Select(n => (IReadOnlyList<Incoming>)[new Incoming(null, n.ToString())]))
            .Via(new OrderedBatches(4, Execute))
            .RunForeach(passed.Add, _system.Materializer());

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => run.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("batch 2", failure.Message);
        Assert.Equal(2, passed.Count);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen && Interlocked.CompareExchange(ref target, value, seen) is var before && before != seen) seen = before;
    }
}
