namespace AegisKV.Storage;

/// <summary>Result of validating the framing, checksum and body layout of one record.</summary>
internal enum RecordCheck
{
    Valid,
    Truncated,
    InvalidLength,
    LengthMismatch,
    ChecksumMismatch,
    MalformedBody,
}

internal static class RecordCheckExtensions
{
    public static string Describe(this RecordCheck check) => check switch
    {
        RecordCheck.Valid => "valid",
        RecordCheck.Truncated => "truncated record (file ends inside it)",
        RecordCheck.InvalidLength => "invalid record length",
        RecordCheck.LengthMismatch => "leading and trailing record lengths differ",
        RecordCheck.ChecksumMismatch => "record checksum mismatch",
        RecordCheck.MalformedBody => "malformed record body",
        _ => check.ToString(),
    };
}
