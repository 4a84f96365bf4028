namespace AegisKV.Storage;

/// <summary>Verdict on one file checked by <see cref="WalVerifier"/>.</summary>
public enum WalFileStatus
{
    /// <summary>Every byte checked out.</summary>
    Intact = 0,

    /// <summary>
    /// The last segment ends in an incomplete record or atomic write: the trace of a crash during a write that
    /// was never acknowledged. The journal cuts it off at start-up; not counted as corruption.
    /// </summary>
    TornTail = 1,

    /// <summary>Bad data that the journal cannot repair without losing acknowledged records.</summary>
    Corrupt = 2,
}
