using System.Globalization;

namespace AegisKV.Storage;

/// <summary>Result of checking one file.</summary>
/// <param name="Path">Full path of the file.</param>
/// <param name="Kind">Segment or snapshot.</param>
/// <param name="Status">Verdict.</param>
/// <param name="Records">Valid records found (segments; 1 for a valid snapshot).</param>
/// <param name="BytesChecked">Size of the file in bytes.</param>
/// <param name="FirstBadOffset">Offset of the first bad byte, if any.</param>
/// <param name="Reason">Why that offset is bad, if any.</param>
public sealed record WalFileReport(string Path, WalFileKind Kind, WalFileStatus Status, long Records, long BytesChecked, long? FirstBadOffset, string? Reason)
{
    /// <summary>True when the file holds corruption (a torn tail is not).</summary>
    public bool IsCorrupt => Status == WalFileStatus.Corrupt;

    /// <summary>One line for <c>aegis wal verify</c>: status, path, counts and the first problem.</summary>
    public string Format()
    {
        var status = Status switch
        {
            WalFileStatus.Intact => "OK     ",
            WalFileStatus.TornTail => "TORN   ",
            _ => "CORRUPT",
        };
        var line = string.Create(CultureInfo.InvariantCulture, $"{status} {Path} records={Records} bytes={BytesChecked}");
        if (FirstBadOffset is { } offset)
            line += string.Create(CultureInfo.InvariantCulture, $" offset={offset} reason={Reason}");
        return line;
    }

    /// <inheritdoc />
    public override string ToString() => Format();
}
