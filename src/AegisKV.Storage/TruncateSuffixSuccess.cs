namespace AegisKV.Storage;

/// <summary>Reply to <see cref="TruncateSuffix"/> once the truncation is durable.</summary>
/// <param name="PersistenceId">The truncated persistence id.</param>
/// <param name="FromSequenceNr">First removed sequence number.</param>
public sealed record TruncateSuffixSuccess(string PersistenceId, long FromSequenceNr);
