namespace AegisKV.Storage;

/// <summary>
/// A write the WAL refused or could not make durable (disk full, I/O error, or a writer fenced after
/// such a failure). Nothing of it is in the log, now or after a restart; the message is one line
/// fit for a client error.
/// </summary>
public sealed class WalWriteException(string message, Exception? inner) : IOException(message, inner);
