namespace AegisKV.Storage;

/// <summary>
/// Tell the journal actor to remove the records of <paramref name="PersistenceId"/> from
/// <paramref name="FromSequenceNr"/> on (a follower discarding a divergent suffix). A truncation marker is
/// appended durably; the removed records are never replayed again, also after a restart, and the highest
/// sequence number becomes <c>FromSequenceNr - 1</c>. Replies <see cref="TruncateSuffixSuccess"/> or
/// <c>Status.Failure</c>. A running persistent actor with this id must be restarted to see the change.
/// </summary>
/// <param name="PersistenceId">The persistence id to truncate.</param>
/// <param name="FromSequenceNr">First sequence number to remove (at least 1).</param>
public sealed record TruncateSuffix(string PersistenceId, long FromSequenceNr);

