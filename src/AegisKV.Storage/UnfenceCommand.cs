namespace AegisKV.Storage;

/// <summary>Lets an id write again after a failed write, refusing its sequence numbers up to <see cref="ThroughSequenceNr"/>.</summary>
internal sealed class UnfenceCommand(string persistenceId, long throughSequenceNr) : WalCommand
{
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string PersistenceId { get; } = persistenceId;

    public long ThroughSequenceNr { get; } = throughSequenceNr;

    public Task Task => _completion.Task;

    public override void Complete() => _completion.TrySetResult();

    public override void Fail(Exception cause) => _completion.TrySetException(cause);
}
