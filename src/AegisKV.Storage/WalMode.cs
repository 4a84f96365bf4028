namespace AegisKV.Storage;

/// <summary>
/// How durably the journal and the snapshot store keep what they are given.
/// The numeric values are part of the public contract (configuration tooling and metrics use them): never reorder.
/// </summary>
public enum WalMode
{
    /// <summary>Memory only: no files are created; an actor can still recover within the same process.</summary>
    Off = 0,

    /// <summary>Written to the operating system before the reply; fsync happens in the background.</summary>
    Write = 1,

    /// <summary>Fsync'd before the reply (group-committed across concurrent writers).</summary>
    Fsync = 2,
}
