namespace AegisKV.Storage;

/// <summary>Bytes of a WAL file that do not verify, found by the start-up scan.</summary>
/// <param name="File">The file.</param>
/// <param name="Offset">First bad byte.</param>
/// <param name="DropFrom">Where the bytes a repair removes begin: the bad byte, or the start of the atomic write it cut short.</param>
/// <param name="End">Where valid data resumes (the file's length when none follows).</param>
/// <param name="Reason">What is wrong there.</param>
public sealed record WalDamage(string File, long Offset, long DropFrom, long End, string Reason);
