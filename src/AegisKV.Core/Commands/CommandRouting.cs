namespace AegisKV.Core.Commands;

/// <summary>Where a command runs.</summary>
public enum CommandRouting
{
    /// <summary>On the client connection; touches no shard.</summary>
    Connection,
    /// <summary>On the shard owning its single key (the first argument).</summary>
    SingleKey,
    /// <summary>Split by key over the owning shards, replies merged in key order.</summary>
    MultiKey,
    /// <summary>On every shard, replies combined.</summary>
    AllShards,
    /// <summary>On the shard owning all its keys, as one step; keys on different shards are refused (CROSSSLOT).</summary>
    SameShard,
    /// <summary>A script (EVAL): on the shard owning its keys, as one step; on the shard of slot 0 when it names none.</summary>
    Script,
}
