namespace AegisKV.Server.Hosting;

/// <summary>ActorRegistry key of the AegisKV shard region.</summary>
public sealed class ShardRegionKey;
