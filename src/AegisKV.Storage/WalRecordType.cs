namespace AegisKV.Storage;

/// <summary>Type byte of a record body (see <see cref="WalFormat"/>). Values are on disk: never renumber.</summary>
internal enum WalRecordType : byte
{
    Event = 1,
    Deletion = 2,
    Truncation = 3,
}
