namespace AegisKV.Core.Sharding;

/// <summary>A message of the shard hand-off protocol; every one crosses nodes.</summary>
public interface IHandoffMessage
{
    /// <summary>The shard being handed off.</summary>
    int ShardId { get; }
}

/// <summary>
/// Opens a hand-off: the shard's whole state, serialized, is <paramref name="Length"/> bytes in
/// <paramref name="Chunks"/> chunks with CRC-32 <paramref name="Crc"/> over all of them.
/// </summary>
public sealed record HandoffOffer(int ShardId, long Epoch, long Length, int Chunks, uint Crc) : IHandoffMessage;

/// <summary>One piece of the state, at <paramref name="Offset"/>, with its own CRC-32.</summary>
public sealed record HandoffChunk(int ShardId, int Index, long Offset, byte[] Data, uint Crc) : IHandoffMessage;

/// <summary>The receiver has the offer (<paramref name="Index"/> -1) or that chunk.</summary>
public sealed record HandoffAck(int ShardId, int Index) : IHandoffMessage;

/// <summary>The receiver holds the whole state durably; the sender may record it as the shard's new holder.</summary>
public sealed record HandoffInstalled(int ShardId) : IHandoffMessage;

/// <summary>The receiver will not take the shard, or lost it on the way; the sender keeps it.</summary>
public sealed record HandoffRefused(int ShardId, string Reason) : IHandoffMessage;
