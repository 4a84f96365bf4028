namespace AegisKV.Storage;

/// <summary>Kind of file checked by <see cref="WalVerifier"/>.</summary>
public enum WalFileKind
{
    /// <summary>A WAL segment (<c>wal/*.wal</c>).</summary>
    Segment = 0,

    /// <summary>A snapshot (<c>snapshots/*/*.snap</c>).</summary>
    Snapshot = 1,
}
