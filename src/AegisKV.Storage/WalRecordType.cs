namespace AegisKV.Storage;

/// <summary>Type byte of a record body (see <see cref="WalFormat"/>). Values are on disk: never renumber.</summary>
internal enum WalRecordType : byte
{
    Event = 1,
    Deletion = 2,
    Truncation = 3,

    /// <summary>An event in the lean layout of format 2; parsed bodies report it as <see cref="Event"/>.</summary>
    LeanEvent = 4,

    /// <summary>
    /// Format 3: the id's log now ends at the marker's sequence number, with the marker's epoch, and holds no record:
    /// every earlier one is deleted and every later one truncated, at once (a follower that installed a snapshot).
    /// </summary>
    Reset = 5,
}
