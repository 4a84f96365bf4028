using Akka.Actor;

namespace AegisKV.Storage;

/// <summary>
/// Writes one persistent actor's events to the WAL from the actor's own thread, without the journal actor in
/// between: the actor numbers its events itself, appends them, and submits what it appended as one write, whose
/// outcome comes back to an <see cref="IWalWriteCallback"/> once it is durable. The records are the journal's own,
/// so the actor recovers through the journal as before. Not thread-safe: one owner.
/// </summary>
public sealed class WalAppender
{
    private const int InitialBufferSize = 1024;
    private readonly WalLog _wal;
    private readonly ExtendedActorSystem _system;
    private WriteCommand? _open;

    internal WalAppender(WalLog wal, ExtendedActorSystem system, string persistenceId)
    {
        _wal = wal;
        _system = system;
        PersistenceId = persistenceId;
    }

    /// <summary>The persistence id the records are written under.</summary>
    public string PersistenceId { get; }

    /// <summary>True while records are appended that are not yet submitted.</summary>
    public bool HasUnsubmitted => _open is not null;

    /// <summary>
    /// Appends <paramref name="payload"/> as event <paramref name="sequenceNr"/>, one atomic write of its own,
    /// serialized as the journal serializes events.
    /// </summary>
    public void Append(long sequenceNr, object payload)
    {
        var command = _open ??= WriteCommand.WithCallback(InitialBufferSize);
        command.AddEvent(_system, PersistenceId, sequenceNr, payload, string.Empty, endsAtomicWrite: true);
    }

    /// <summary>Hands everything appended since the last submit to the WAL as one write; its outcome goes to <paramref name="callback"/>.</summary>
    public void Submit(IWalWriteCallback callback)
    {
        var command = _open ?? throw new InvalidOperationException("Nothing is appended.");
        _open = null;
        command.ReportTo(callback);
        _wal.Submit(command);
    }

    /// <summary>
    /// After a refused write: lets this id write again, refusing its sequence numbers up to
    /// <paramref name="throughSequenceNr"/> (writes already queued behind the refused one are refused too).
    /// </summary>
    public void ReleaseFence(long throughSequenceNr) => _ = _wal.Unfence(PersistenceId, throughSequenceNr);
}
