using Akka.Cluster.Sharding;

namespace AegisKV.Core.Sharding;

/// <summary>
/// Entity id and shard id are both the AegisKV shard number: one entity per shard, so the
/// sharding layer places and moves whole AegisKV shards.
/// </summary>
public sealed class ShardMessageExtractor : IMessageExtractor
{
    private readonly string[] _ids;

    /// <summary>Creates an extractor for a cluster of <paramref name="shardCount"/> shards.</summary>
    public ShardMessageExtractor(int shardCount)
    {
        _ids = new string[shardCount];
        for (var i = 0; i < shardCount; i++) _ids[i] = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <inheritdoc />
    public string? EntityId(object message) => message is IShardMessage m ? _ids[m.ShardId] : null;

    /// <inheritdoc />
    public object? EntityMessage(object message) => message;

    /// <inheritdoc />
    public string? ShardId(object message) => message is IShardMessage m ? _ids[m.ShardId] : null;

    /// <inheritdoc />
    public string ShardId(string entityId, object? messageHint = null) => entityId;
}
