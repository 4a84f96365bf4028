namespace AegisKV.Cluster.PubSub;

/// <summary>
/// A message published on one node, for the subscribers on every other node. <paramref name="Sharded"/> messages
/// (SPUBLISH) reach only SSUBSCRIBE subscribers, the others only SUBSCRIBE and PSUBSCRIBE ones, as in Redis.
/// </summary>
/// <param name="Origin">The node it was published on, which has delivered it to its own subscribers already.</param>
/// <param name="Channel">The channel.</param>
/// <param name="Message">The payload.</param>
/// <param name="Sharded">Published with SPUBLISH.</param>
public sealed record ChannelMessage(string Origin, byte[] Channel, byte[] Message, bool Sharded);
