using Akka.Actor;
using Akka.Event;
using AegisKV.Core.Serialization;
using AegisKV.Core.State;


namespace AegisKV.Core.Sharding;

/// <summary>
/// Takes in shards handed off to this node: gathers a shard's chunks, checks each chunk's and the whole state's
/// CRC-32, then has a <see cref="ShardInstaller"/> make it this node's durable copy, which answers the sender.
/// Refuses while this node shuts down or already runs the shard. A transfer that stops moving is dropped.
/// </summary>
public sealed class HandoffReceiver : ReceiveActor, IWithTimers
{
    private static readonly TimeSpan Abandoned = TimeSpan.FromSeconds(60);

    private readonly ShardSettings _settings;
    private readonly LocalShards _local;
    private readonly Dictionary<int, Transfer> _transfers = [];
    private readonly ILoggingAdapter _log = Context.GetLogger();

    /// <summary>Creates the receiver of a node whose shards run with <paramref name="settings"/>.</summary>
    public HandoffReceiver(ShardSettings settings, LocalShards local)
    {
        _settings = settings;
        _local = local;
        Receive<HandoffOffer>(OnOffer);
        Receive<HandoffChunk>(OnChunk);
        Receive<Sweep>(_ => DropAbandoned());
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props for the receiver.</summary>
    public static Props Props(ShardSettings settings, LocalShards local) => Akka.Actor.Props.Create(() => new HandoffReceiver(settings, local));

    /// <inheritdoc />
    protected override void PreStart() => Timers.StartPeriodicTimer("sweep", Sweep.Instance, TimeSpan.FromSeconds(10));

    private void OnOffer(HandoffOffer offer)
    {
        string? refusal = null;
        if (CoordinatedShutdown.Get(Context.System).ShutdownReason is not null) refusal = "the node is shutting down";
        else if (_local.TryGet(offer.ShardId, out _)) refusal = "the shard already runs on this node";
        else if (offer.Length > Array.MaxLength) refusal = $"the shard's state ({offer.Length} bytes) is larger than one hand-off can carry";
        if (refusal is not null)
        {
            Sender.Tell(new HandoffRefused(offer.ShardId, refusal));
            return;
        }

        _transfers[offer.ShardId] = new Transfer(Sender, offer, new byte[offer.Length], new bool[offer.Chunks]);
        Sender.Tell(new HandoffAck(offer.ShardId, -1));
    }

    private void OnChunk(HandoffChunk chunk)
    {
        if (!_transfers.TryGetValue(chunk.ShardId, out var transfer) || !transfer.Sender.Equals(Sender)) return;
        transfer.LastProgress = Environment.TickCount64;
        if (chunk.Index < 0 || chunk.Index >= transfer.Received.Length || chunk.Offset + chunk.Data.Length > transfer.Buffer.Length
            || System.IO.Hashing.Crc32.HashToUInt32(chunk.Data) != chunk.Crc)
        {
            Fail(chunk.ShardId, transfer, $"chunk {chunk.Index} arrived damaged");
            return;
        }

        chunk.Data.CopyTo(transfer.Buffer.AsSpan((int)chunk.Offset));
        if (!transfer.Received[chunk.Index]) transfer.Count++;
        transfer.Received[chunk.Index] = true;
        Sender.Tell(new HandoffAck(chunk.ShardId, chunk.Index));
        if (transfer.Count < transfer.Received.Length) return;

        _transfers.Remove(chunk.ShardId);
        if (System.IO.Hashing.Crc32.HashToUInt32(transfer.Buffer) != transfer.Offer.Crc)
        {
            Fail(chunk.ShardId, transfer, "the state failed its checksum");
            return;
        }

        ShardSnapshot snapshot;
        try
        {
            var serializer = (ShardMessageSerializer)Context.System.Serialization.FindSerializerForType(typeof(ShardSnapshot));
            snapshot = (ShardSnapshot)serializer.FromBinary(transfer.Buffer, ShardMessageSerializer.SnapshotManifest);
        }
        catch (Exception e) when (e is FormatException or InvalidCastException or System.Runtime.Serialization.SerializationException)
        {
            Fail(chunk.ShardId, transfer, "the state could not be read: " + e.Message);
            return;
        }

        Context.ActorOf(ShardInstaller.Props(chunk.ShardId, transfer.Offer.Epoch, snapshot, _settings, transfer.Sender));
    }

    private void Fail(int shardId, Transfer transfer, string reason)
    {
        _transfers.Remove(shardId);
        _log.Warning("Hand-off of shard {0} to this node failed: {1}", shardId, reason);
        transfer.Sender.Tell(new HandoffRefused(shardId, reason));
    }

    private void DropAbandoned()
    {
        var now = Environment.TickCount64;
        foreach (var (shardId, transfer) in _transfers.ToList())
            if (now - transfer.LastProgress > Abandoned.TotalMilliseconds) Fail(shardId, transfer, "the sender stopped sending");
    }

    private sealed class Transfer(IActorRef sender, HandoffOffer offer, byte[] buffer, bool[] received)
    {
        public IActorRef Sender { get; } = sender;

        public HandoffOffer Offer { get; } = offer;

        public byte[] Buffer { get; } = buffer;

        public bool[] Received { get; } = received;

        public int Count { get; set; }

        public long LastProgress { get; set; } = Environment.TickCount64;
    }

    private sealed class Sweep
    {
        public static readonly Sweep Instance = new();
    }
}
