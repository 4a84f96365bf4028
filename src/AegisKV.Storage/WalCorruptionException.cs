namespace AegisKV.Storage;

/// <summary>
/// Raised instead of serving data the WAL cannot vouch for: a replay of a persistence id whose records were
/// lost to corruption, or a record whose checksum no longer matches when it is read back.
/// </summary>
public sealed class WalCorruptionException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="filePath">The segment file holding the bad data.</param>
    /// <param name="offset">Byte offset of the bad data in that file.</param>
    /// <param name="persistenceId">The affected persistence id, when known.</param>
    public WalCorruptionException(string message, string filePath, long offset, string? persistenceId = null)
        : base(message)
    {
        FilePath = filePath;
        Offset = offset;
        PersistenceId = persistenceId;
    }

    /// <summary>The segment file holding the bad data.</summary>
    public string FilePath { get; }

    /// <summary>Byte offset of the bad data in <see cref="FilePath"/>.</summary>
    public long Offset { get; }

    /// <summary>The affected persistence id, when known.</summary>
    public string? PersistenceId { get; }
}
