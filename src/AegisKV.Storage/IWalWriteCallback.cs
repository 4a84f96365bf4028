namespace AegisKV.Storage;

/// <summary>
/// Where the WAL reports the outcome of a write handed to it by a <see cref="WalAppender"/>. Called once, on the
/// WAL's writer thread: an implementation only posts the outcome (e.g. tells an actor) and never blocks.
/// </summary>
public interface IWalWriteCallback
{
    /// <summary>Every record of the write is durable (per the WAL's mode).</summary>
    void Durable();

    /// <summary>
    /// None of it was stored: the disk is full or failing, or an earlier write of the same writer was refused and
    /// the writer has not yet released its fence (<see cref="WalAppender.ReleaseFence"/>).
    /// </summary>
    void Refused(WalWriteException cause);

    /// <summary>The WAL stopped (an I/O failure, or it was closed): what of the write is on disk is unknown until the journal rescans.</summary>
    void Failed(Exception cause);
}
