namespace AegisKV.Storage;

/// <summary>
/// Tell the journal actor, after a failed write of <paramref name="PersistenceId"/>: "every write of mine
/// up to <paramref name="ThroughSequenceNr"/> is taken back; accept the ones after it". Until then the WAL
/// refuses the id's writes, so that none computed on top of a failed one can become durable.
/// </summary>
/// <param name="PersistenceId">The writer's persistence id.</param>
/// <param name="ThroughSequenceNr">The highest sequence number the writer has handed out so far.</param>
public sealed record ReleaseWriteFence(string PersistenceId, long ThroughSequenceNr);
