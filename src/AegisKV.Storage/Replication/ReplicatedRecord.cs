namespace AegisKV.Storage.Replication;

/// <summary>
/// One record of a shard's log as stored (its body, without the framing), read from the primary's WAL to be
/// appended unchanged to a follower's: both then replay the same events.
/// </summary>
/// <param name="SequenceNr">Its sequence number.</param>
/// <param name="Epoch">The epoch in its header.</param>
/// <param name="EndsAtomicWrite">False while more records of the same atomic write follow.</param>
/// <param name="Body">The record body, checked by the CRC of the framing it is written with.</param>
public sealed record ReplicatedRecord(long SequenceNr, long Epoch, bool EndsAtomicWrite, byte[] Body);
