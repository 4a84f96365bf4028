namespace AegisKV.Storage;

/// <summary>
/// One change to the index, produced both by the start-up scan and by the writer loop so that a record
/// means the same thing whether it was just written or read back after a restart.
/// </summary>
/// <param name="Kind">Record type.</param>
/// <param name="PersistenceId">Affected persistence id.</param>
/// <param name="SequenceNr">Event: its sequence number; deletion: deleted-to; truncation: first removed.</param>
/// <param name="HighestSequenceNr">Deletion only: highest sequence number when the marker was written.</param>
/// <param name="Entry">Event only: where the record lives.</param>
/// <param name="Segment">Segment holding the record (null in mode off).</param>
/// <param name="Epoch">Event and reset only: the epoch in its record header.</param>
internal readonly record struct IndexOp(WalRecordType Kind, string PersistenceId, long SequenceNr, long HighestSequenceNr, WalEntry Entry, Segment? Segment, long Epoch = 0);
