namespace AegisKV.Storage.Replication;

/// <summary>
/// A follower's append or cut was not made: the record it was to follow on (or to cut after) is not the one
/// expected. The follower's view of its own log is wrong; it must read its log again before it goes on.
/// </summary>
public sealed class ReplicaLogMismatchException : IOException
{
    /// <summary>Describes a mismatch at <paramref name="sequenceNr"/> of <paramref name="persistenceId"/>.</summary>
    public ReplicaLogMismatchException(string persistenceId, long sequenceNr, long expectedEpoch, long? actualEpoch, string operation, long? logEnd = null)
        : base($"{operation} of '{persistenceId}' refused: record {sequenceNr} was to have epoch {expectedEpoch}, it has "
               + (actualEpoch is { } actual ? $"epoch {actual}" : "none") + (logEnd is { } end && end != sequenceNr ? $" (the log ends at {end})" : ""))
    {
        PersistenceId = persistenceId;
        SequenceNr = sequenceNr;
        ExpectedEpoch = expectedEpoch;
        ActualEpoch = actualEpoch;
    }

    /// <summary>The shard's persistence id.</summary>
    public string PersistenceId { get; }

    /// <summary>The record that did not match.</summary>
    public long SequenceNr { get; }

    /// <summary>The epoch it was to have.</summary>
    public long ExpectedEpoch { get; }

    /// <summary>The epoch it has; null when it is not there.</summary>
    public long? ActualEpoch { get; }
}
