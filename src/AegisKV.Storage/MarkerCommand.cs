namespace AegisKV.Storage;

/// <summary>
/// A deletion (<see cref="WalRecordType.Deletion"/>, up to and including <see cref="SequenceNr"/>), a suffix
/// truncation (<see cref="WalRecordType.Truncation"/>, from <see cref="SequenceNr"/> on) or a reset
/// (<see cref="WalRecordType.Reset"/>: the log ends at <see cref="SequenceNr"/> with no record). The writer loop
/// decides the marker's exact content because only it knows the current highest sequence number.
/// </summary>
internal sealed class MarkerCommand(WalRecordType kind, string persistenceId, long sequenceNr) : WalCommand
{
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public WalRecordType Kind { get; } = kind;

    public string PersistenceId { get; } = persistenceId;

    public long SequenceNr { get; } = sequenceNr;

    /// <summary>Truncation only: written only if the record before the cut has this epoch (a follower's checked cut).</summary>
    public long? ExpectedEpochBefore { get; init; }

    /// <summary>Reset only: the epoch of the entry the log now ends at.</summary>
    public long Epoch { get; init; }

    public Task Task => _completion.Task;

    public override void Complete() => _completion.TrySetResult();

    public override void Fail(Exception cause) => _completion.TrySetException(cause);
}
