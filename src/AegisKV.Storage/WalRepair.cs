using System.Globalization;
using System.Text;
using Akka.Event;

namespace AegisKV.Storage;

/// <summary>
/// <c>aegis wal repair</c>: with the node stopped, accepts the loss the start-up scan found so the
/// affected shards serve again. Ids that lost records get a truncation marker after their last intact
/// record (durable before anything is cut, so no replay can ever skip over the gap), damaged bytes are
/// cut out of their segments, and the checkpoint is rewritten from what is left.
/// </summary>
public static class WalRepair
{
    /// <summary>What a repair of <paramref name="dataDirectory"/> would drop; changes nothing.</summary>
    public static WalAnalysis Plan(string dataDirectory) => WalLog.Analyze(Settings(dataDirectory), NoLogger.Instance);

    /// <summary>Drops what <see cref="Plan"/> lists and returns that list.</summary>
    public static WalAnalysis Repair(string dataDirectory)
    {
        var settings = Settings(dataDirectory);
        var plan = WalLog.Analyze(settings, NoLogger.Instance);
        if (plan.IsClean)
            return plan;

        using (var wal = WalLog.Open(settings, NoLogger.Instance))
        {
            foreach (var lost in plan.LostRecords)
                wal.Truncate(lost.PersistenceId, lost.LastIntact + 1).GetAwaiter().GetResult();
        }

        foreach (var file in plan.Damage.GroupBy(d => d.File))
            CutOut(file.Key, [.. file.OrderBy(d => d.DropFrom)]);

        // Closing a log opened this way saves a checkpoint of what is left, forgetting the old marks.
        using (WalLog.Open(settings, NoLogger.Instance, ignoreCheckpoint: true))
        {
        }
        return plan;
    }

    /// <summary>The lines <c>aegis wal repair</c> prints: exactly what is (or would be) dropped.</summary>
    public static string Describe(WalAnalysis plan)
    {
        var text = new StringBuilder();
        foreach (var damage in plan.Damage)
            text.Append(CultureInfo.InvariantCulture, $"drop {damage.File} bytes {damage.DropFrom}..{damage.End - 1} ({damage.End - damage.DropFrom} bytes): offset {damage.Offset}: {damage.Reason}").AppendLine();
        foreach (var lost in plan.LostRecords)
        {
            text.Append(CultureInfo.InvariantCulture, $"drop {lost.PersistenceId} records after sequence number {lost.LastIntact}");
            if (lost.ReadableAfter > 0)
                text.Append(CultureInfo.InvariantCulture, $", {lost.ReadableAfter} of them readable but after the gap");
            text.Append(": ").AppendLine(lost.Description);
        }
        if (plan.CheckpointProblem is { } problem)
            text.Append("rewrite the checkpoint: ").AppendLine(problem);
        return text.ToString().TrimEnd();
    }

    private static WalJournalSettings Settings(string dataDirectory) =>
        new(Path.Combine(Path.GetFullPath(dataDirectory), WalVerifier.WalDirectoryName), WalMode.Fsync, 64L * 1024 * 1024, TimeSpan.FromSeconds(1));

    // Rewrites a segment without the damaged ranges: to a temporary file, synced, then renamed into place.
    private static void CutOut(string path, WalDamage[] ranges)
    {
        if (!File.Exists(path))
            return;
        var data = File.ReadAllBytes(path);
        if (!WalFormat.TryParseSegmentFileName(Path.GetFileName(path), out var position) || ranges[0].DropFrom == 0 && ranges[0].End >= data.Length)
        {
            // Nothing of it can be read: the whole file goes.
            File.Delete(path);
            FileSystem.SyncDirectory(Path.GetDirectoryName(path)!);
            return;
        }

        var kept = new MemoryStream(data.Length);
        Span<byte> header = stackalloc byte[WalFormat.SegmentHeaderSize];
        WalFormat.WriteSegmentHeader(header, position);
        kept.Write(header);
        long from = WalFormat.SegmentHeaderSize;
        foreach (var range in ranges)
        {
            if (range.DropFrom > from)
                kept.Write(data, (int)from, (int)(range.DropFrom - from));
            from = Math.Max(from, range.End);
        }
        if (from < data.Length)
            kept.Write(data, (int)from, (int)(data.Length - from));

        FileSystem.ReplaceDurably(path, kept.GetBuffer().AsSpan(0, (int)kept.Length));
    }
}
