using Akka.Actor;


namespace AegisKV.Core.Sharding;

/// <summary>
/// Ships a stopping shard's serialized state to the node taking it over: an offer, then chunks with a CRC-32
/// each, a few in flight at a time so that one remoting connection also carries heartbeats and other traffic
/// meanwhile, then waits for the receiver to say the state is durable. Reports <see cref="HandoffOutcome"/> to
/// its parent and stops; gives up when nothing moves for the timeout.
/// </summary>
internal sealed class HandoffSender : ReceiveActor, IWithTimers
{
    internal const int ChunkSize = 256 * 1024;
    private const int Window = 4;

    private readonly int _shardId;
    private readonly long _epoch;
    private readonly byte[] _payload;
    private readonly HandoffTarget _target;
    private readonly TimeSpan _timeout;
    private readonly int _chunks;
    private IActorRef? _receiver;
    private int _nextChunk;

    public HandoffSender(int shardId, long epoch, byte[] payload, HandoffTarget target, TimeSpan timeout)
    {
        _shardId = shardId;
        _epoch = epoch;
        _payload = payload;
        _target = target;
        _timeout = timeout;
        _chunks = Math.Max(1, (payload.Length + ChunkSize - 1) / ChunkSize);
        Receive<HandoffAck>(OnAck);
        Receive<HandoffInstalled>(_ => Finish(true, ""));
        Receive<HandoffRefused>(refused => Finish(false, refused.Reason));
        Receive<Stalled>(_ => Finish(false, $"no progress for {_timeout.TotalSeconds:F0} s"));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(int shardId, long epoch, byte[] payload, HandoffTarget target, TimeSpan timeout) =>
        Akka.Actor.Props.Create(() => new HandoffSender(shardId, epoch, payload, target, timeout));

    protected override void PreStart()
    {
        Progress();
        Context.ActorSelection(_target.Receiver).Tell(new HandoffOffer(_shardId, _epoch, _payload.Length, _chunks, System.IO.Hashing.Crc32.HashToUInt32(_payload)), Self);
    }

    private void OnAck(HandoffAck ack)
    {
        Progress();
        if (ack.Index < 0)
        {
            _receiver = Sender;
            while (_nextChunk < Math.Min(Window, _chunks)) SendChunk();
            return;
        }

        if (_nextChunk < _chunks) SendChunk();
    }

    private void SendChunk()
    {
        var offset = (long)_nextChunk * ChunkSize;
        var data = _payload.AsSpan((int)offset, (int)Math.Min(ChunkSize, _payload.Length - offset)).ToArray();
        _receiver!.Tell(new HandoffChunk(_shardId, _nextChunk, offset, data, System.IO.Hashing.Crc32.HashToUInt32(data)), Self);
        _nextChunk++;
    }

    private void Progress() => Timers.StartSingleTimer("stalled", Stalled.Instance, _timeout);

    private void Finish(bool shipped, string reason)
    {
        Context.Parent.Tell(new HandoffOutcome(_target.NodeId, shipped, _payload.Length, reason));
        Context.Stop(Self);
    }

    private sealed class Stalled
    {
        public static readonly Stalled Instance = new();
    }
}

/// <summary>How a hand-off ended, for the shard that started it.</summary>
internal sealed record HandoffOutcome(string Target, bool Shipped, long Bytes, string Reason);
