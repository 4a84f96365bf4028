using System.Collections.Concurrent;
using Akka.Actor;
using AegisKV.Core.Replication;
using AegisKV.Replication;

namespace AegisKV.Cluster.Replication;

/// <summary>
/// The replication messages this node's shards send to one other node, sent together: what the shards queued while
/// the previous send waited for a thread or ran goes as one <see cref="ReplicaBatch"/> (a lone message as its own
/// envelope), in the order queued. Sends run on the thread pool, one at a time; nothing waits for a timer, so a quiet
/// node sends each message at once and a busy one sends fewer, larger remote messages. Thread-safe.
/// </summary>
public sealed class NodeOutbox : IThreadPoolWorkItem
{
    /// <summary>Most payload bytes (entries and snapshots) in one batch; a larger message goes alone.</summary>
    public const int MaxBatchBytes = 256 * 1024;

    /// <summary>Most messages in one batch.</summary>
    public const int MaxBatchMessages = 256;

    // Most messages one run sends before it lets other work have the thread (and queues itself again).
    private const int MaxPerRun = 4 * MaxBatchMessages;

    private readonly ConcurrentQueue<ReplicaEnvelope> _queue = new();
    private readonly Func<Peer> _peer;
    private readonly ReplicationStatus _status;
    private readonly Action<IThreadPoolWorkItem> _schedule;
    private readonly List<ReplicaEnvelope> _batch = [];
    // 1 from when a run is queued until it has sent what it took: one run at a time keeps the messages in order.
    private int _scheduled;

    /// <summary>
    /// An outbox whose messages go to <paramref name="peer"/> (the other node, looked up at each send; without a host
    /// they are dropped, counted in <paramref name="status"/>). <paramref name="schedule"/> queues a run; the thread
    /// pool when not given.
    /// </summary>
    public NodeOutbox(Func<Peer> peer, ReplicationStatus status, Action<IThreadPoolWorkItem>? schedule = null)
    {
        _peer = peer;
        _status = status;
        _schedule = schedule ?? (item => ThreadPool.UnsafeQueueUserWorkItem(item, preferLocal: false));
    }

    /// <summary>Queues <paramref name="envelope"/>; it is sent after every message queued before it.</summary>
    public void Post(ReplicaEnvelope envelope)
    {
        _queue.Enqueue(envelope);
        if (Interlocked.Exchange(ref _scheduled, 1) == 0) _schedule(this);
    }

    /// <summary>Sends what is queued (a run, as the thread pool calls it).</summary>
    public void Execute()
    {
        try
        {
            Drain();
        }
        catch (Exception)
        {
            // A send that fails is a message lost on the way, as the protocol already allows for: the primary sends
            // again what a member lacks. The outbox must not stay marked as running, or nothing would leave it again.
            foreach (var _ in _batch) _status.MessageDropped();
            _batch.Clear();
        }

        Volatile.Write(ref _scheduled, 0);
        // A message queued after the last look, whose sender found a run still marked as queued.
        if (!_queue.IsEmpty && Interlocked.Exchange(ref _scheduled, 1) == 0) _schedule(this);
    }

    private void Drain()
    {
        var (host, takesBatches) = _peer();
        var most = takesBatches ? MaxBatchMessages : 1;
        var bytes = 0;
        for (var taken = 0; taken < MaxPerRun && _queue.TryDequeue(out var envelope); taken++)
        {
            if (host is null)
            {
                _status.MessageDropped();
                continue;
            }

            var size = PayloadBytes(envelope.Message);
            if (_batch.Count > 0 && (bytes + size > MaxBatchBytes || _batch.Count == most))
            {
                Send(host);
                bytes = 0;
            }

            _batch.Add(envelope);
            bytes += size;
        }

        if (host is not null && _batch.Count > 0) Send(host);
    }

    private void Send(IActorRef host)
    {
        host.Tell(_batch.Count == 1 ? _batch[0] : new ReplicaBatch(_batch.ToArray()), ActorRefs.NoSender);
        _status.Sent(_batch.Count);
        _batch.Clear();
    }

    /// <summary>The other node: its host (null when not known or unreachable) and whether it reads batches.</summary>
    /// <param name="Host">The node's <see cref="ReplicaHost"/>.</param>
    /// <param name="TakesBatches">True when it reads a <see cref="ReplicaBatch"/>; each message goes alone otherwise.</param>
    public readonly record struct Peer(IActorRef? Host, bool TakesBatches);

    private static int PayloadBytes(ReplicaMessage message) => message switch
    {
        Append append => EntriesBytes(append.Entries),
        Fetched fetched => EntriesBytes(fetched.Entries) + (fetched.Image?.Payload.Length ?? 0),
        InstallSnapshot install => install.Image.Payload.Length,
        _ => 0,
    };

    private static int EntriesBytes(IReadOnlyList<LogEntry> entries)
    {
        var bytes = 0;
        for (var i = 0; i < entries.Count; i++) bytes += entries[i].Payload.Length;
        return bytes;
    }
}
