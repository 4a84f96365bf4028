using AegisKV.Core.Commands;

namespace AegisKV.Core.Sharding;

/// <summary>A message addressed to one shard through the shard region.</summary>
public interface IShardMessage
{
    /// <summary>The shard (and entity) the message is for.</summary>
    int ShardId { get; }
}

/// <summary>Asks a shard to start (and so recover); it replies <see cref="ShardRecovered"/> once it serves.</summary>
public sealed record RecoverShard(int ShardId) : IShardMessage;

/// <summary>A shard's answer to <see cref="RecoverShard"/>.</summary>
public sealed record ShardRecovered(int ShardId, long Keys, long Epoch);

/// <summary>Asks a shard for its figures; it answers <see cref="ShardStats"/> at once, whatever it is doing.</summary>
public sealed record GetShardStats(int ShardId) : IShardMessage;

/// <summary>What a shard actor is doing.</summary>
public enum ShardMode : byte
{
    /// <summary>Waiting for custody to say whether this node holds the shard's newest copy.</summary>
    Claiming,

    /// <summary>Serving its keys.</summary>
    Serving,

    /// <summary>Answering CLUSTERDOWN or TRYAGAIN: the newest copy is elsewhere, or no majority answered.</summary>
    Refusing,

    /// <summary>Shipping its state to the next owner.</summary>
    HandingOff,
}

/// <summary>A shard's answer to <see cref="GetShardStats"/>: figures of the copy it runs on (not the newest while it refuses).</summary>
/// <param name="ShardId">The shard.</param>
/// <param name="Keys">Keys held, expired ones not yet removed included.</param>
/// <param name="Bytes">Bytes of its keys, values and per-key overhead, as counted against --max-memory.</param>
/// <param name="Epoch">The epoch of its latest incarnation.</param>
/// <param name="Mode">What it is doing.</param>
/// <param name="Lag">For the primary of a replica group, the log entries its member furthest behind lacks; -1 without replication.</param>
public sealed record ShardStats(int ShardId, long Keys, long Bytes, long Epoch, ShardMode Mode, long Lag = -1);

/// <summary>Sent by sharding to stop a shard actor during hand-off, after its in-flight writes finish.</summary>
public sealed record StopShard
{
    /// <summary>The single instance.</summary>
    public static readonly StopShard Instance = new();

    private StopShard()
    {
    }
}

/// <summary>One command inside a <see cref="ShardBatch"/>.</summary>
/// <param name="Command">The command.</param>
/// <param name="Arguments">Its arguments without the name.</param>
public sealed record ShardCommand(CommandId Command, byte[][] Arguments);

/// <summary>
/// Commands of one connection for one shard: the shard runs them in order and answers once
/// with <see cref="ShardBatchReply"/> carrying the same <paramref name="RequestId"/>, so a
/// connection can match answers to requests without a temporary actor per request. An
/// <paramref name="Atomic"/> batch is a transaction (MULTI/EXEC): nothing else runs between its
/// commands, and their events are persisted as one atomic journal write, all of them or none.
/// </summary>
public sealed record ShardBatch(int ShardId, long RequestId, ShardCommand[] Commands, bool Atomic = false) : IShardMessage;

/// <summary>
/// Sent by a connection that closed while a blocking command of its request <paramref name="RequestId"/> waited on the
/// shard: the shard forgets it, so no element is popped for a client that is gone.
/// </summary>
public sealed record CancelBlocked(int ShardId, long RequestId) : IShardMessage;

/// <summary>The replies to a <see cref="ShardBatch"/>, in command order.</summary>
public sealed record ShardBatchReply(long RequestId, Replies.Reply[] Replies);

/// <summary>
/// Asks a shard for every key it holds, for re-homing keys before the node serves; it answers
/// <see cref="ShardExported"/>. Only meaningful while no client writes to the shard.
/// </summary>
public sealed record ExportShard(int ShardId) : IShardMessage;

/// <summary>A shard's answer to <see cref="ExportShard"/>: its whole map, expired keys not yet removed included.</summary>
public sealed record ShardExported(int ShardId, State.ShardSnapshot Snapshot);
