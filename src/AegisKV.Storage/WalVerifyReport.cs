using System.Text;

namespace AegisKV.Storage;

/// <summary>Result of <see cref="WalVerifier.Verify"/>: one entry per checked file, segments first.</summary>
/// <param name="DataDirectory">The data directory that was checked.</param>
/// <param name="Files">Per-file results.</param>
public sealed record WalVerifyReport(string DataDirectory, IReadOnlyList<WalFileReport> Files)
{
    /// <summary>True when any file is corrupt; <c>aegis wal verify</c> then exits non-zero.</summary>
    public bool HasCorruption
    {
        get
        {
            foreach (var file in Files)
            {
                if (file.IsCorrupt)
                    return true;
            }
            return false;
        }
    }

    /// <summary>One line per file followed by a summary line.</summary>
    public string Format()
    {
        var builder = new StringBuilder();
        var corrupt = 0;
        foreach (var file in Files)
        {
            builder.AppendLine(file.Format());
            if (file.IsCorrupt)
                corrupt++;
        }
        builder.Append(corrupt == 0
            ? $"{Files.Count} file(s) checked in {DataDirectory}: no corruption"
            : $"{Files.Count} file(s) checked in {DataDirectory}: {corrupt} corrupt");
        return builder.ToString();
    }

    /// <inheritdoc />
    public override string ToString() => Format();
}
