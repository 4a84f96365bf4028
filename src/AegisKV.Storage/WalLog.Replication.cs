using AegisKV.Storage.Replication;

namespace AegisKV.Storage;

// Follower writes: records shipped from the primary's log, appended only where they follow on, and cuts made
// only where the record before them is the one the follower's protocol believes it is. Checked on the writer
// thread against the index and the not yet applied operations of the batch, so nothing slips in between.
internal sealed partial class WalLog
{
    /// <summary>
    /// Appends <paramref name="records"/> (bodies as <see cref="ReadReplicated"/> returns them) if the log of
    /// <paramref name="persistenceId"/> then ends at (<paramref name="previousSequenceNr"/>, <paramref name="previousEpoch"/>).
    /// </summary>
    /// <exception cref="ReplicaLogMismatchException">The log ends elsewhere (thrown by the task).</exception>
    /// <exception cref="ArgumentException">The records are not events of the id following on without gaps, or end inside an atomic write.</exception>
    public async Task AppendReplicated(string persistenceId, long previousSequenceNr, long previousEpoch, IReadOnlyList<ReplicatedRecord> records)
    {
        var command = new WriteCommand(4096) { Precondition = new ReplicaPrecondition(persistenceId, previousSequenceNr, previousEpoch) };
        var expected = previousSequenceNr + 1;
        var epoch = previousEpoch;
        foreach (var record in records)
        {
            if (!WalRecordCodec.TryParseBody(record.Body, out var view) || view.Type != WalRecordType.Event || view.PersistenceId != persistenceId
                || view.SequenceNr != expected || view.Epoch < epoch)
                throw new ArgumentException($"record {expected} of '{persistenceId}' is not the event that follows on", nameof(records));
            var offset = command.Buffer.Length;
            var length = WalRecordCodec.AppendFramed(command.Buffer, record.Body);
            command.AddRecord(new EncodedRecord(persistenceId, view.SequenceNr, offset, length, !view.MoreInAtomicWrite, view.Epoch));
            epoch = view.Epoch;
            expected++;
        }

        if (command.RecordCount == 0 || !command.Record(command.RecordCount - 1).EndsAtomicWrite)
            throw new ArgumentException("replicated records must end an atomic write", nameof(records));
        var rejections = await Write(command).ConfigureAwait(false);
        if (rejections is { Count: > 0 } && rejections[0] is { } rejection)
            throw rejection.InnerException as ReplicaLogMismatchException ?? rejection;
    }

    /// <summary>Removes the records from <paramref name="fromSequenceNr"/> on if the one before has <paramref name="expectedEpochBefore"/>.</summary>
    /// <exception cref="ReplicaLogMismatchException">It has another epoch, or is not there (thrown by the task).</exception>
    public Task TruncateChecked(string persistenceId, long fromSequenceNr, long expectedEpochBefore)
    {
        var command = new MarkerCommand(WalRecordType.Truncation, persistenceId, fromSequenceNr) { ExpectedEpochBefore = expectedEpochBefore };
        Enqueue(command);
        return command.Task;
    }

    /// <summary>
    /// Makes the log of <paramref name="persistenceId"/> end at (<paramref name="sequenceNr"/>, <paramref name="epoch"/>)
    /// with no record, in one marker: what a follower writes once a snapshot through that entry is durable.
    /// </summary>
    public Task Reset(string persistenceId, long sequenceNr, long epoch)
    {
        var command = new MarkerCommand(WalRecordType.Reset, persistenceId, sequenceNr) { Epoch = epoch };
        Enqueue(command);
        return command.Task;
    }

    /// <summary>Why the id's records cannot be trusted (lost to corruption, found at start-up); null when they can.</summary>
    public WalCorruptionException? CorruptionOf(string persistenceId)
    {
        lock (_index.Gate)
            return _index.Find(persistenceId)?.Corruption;
    }

    /// <summary>The sequence number records of the id are deleted through: the log starts after it.</summary>
    public long DeletedTo(string persistenceId)
    {
        lock (_index.Gate)
            return _index.Find(persistenceId)?.DeletedTo ?? 0;
    }

    /// <summary>The epoch of the record at <paramref name="sequenceNr"/> as written so far: 0 for 0, null when unknown.</summary>
    public long? EpochAt(string persistenceId, long sequenceNr)
    {
        lock (_index.Gate)
            return sequenceNr == 0 ? 0 : _index.Find(persistenceId)?.EpochAt(sequenceNr);
    }

    /// <summary>
    /// Up to <paramref name="maxRecords"/> records of the id from <paramref name="fromSequenceNr"/> on, whole atomic
    /// writes only, as their bodies, for shipping to a follower; stops early past <paramref name="maxBytes"/>. Runs on
    /// the caller's thread (not the journal's) and reads only what is written.
    /// </summary>
    public List<ReplicatedRecord> ReadReplicated(string persistenceId, long fromSequenceNr, int maxRecords, long maxBytes)
    {
        var records = new List<ReplicatedRecord>();
        var lastComplete = 0;
        // Reads only as far as needed; a window too short for even one whole atomic write is widened.
        for (var window = (long)maxRecords + 1024; ; window *= 2)
        {
            records.Clear();
            long bytes = 0;
            lastComplete = 0;
            ReplayRecords(persistenceId, fromSequenceNr, long.MaxValue, window, (body, view) =>
            {
                records.Add(new ReplicatedRecord(view.SequenceNr, view.Epoch, !view.MoreInAtomicWrite, body.ToArray()));
                bytes += body.Length;
                if (view.MoreInAtomicWrite) return true;
                lastComplete = records.Count;
                return records.Count < maxRecords && bytes < maxBytes;
            });
            if (lastComplete > 0 || records.Count < window) break;
        }

        // Never half an atomic write: a follower appends whole ones.
        if (lastComplete < records.Count) records.RemoveRange(lastComplete, records.Count - lastComplete);
        return records;
    }

    private ReplicaLogMismatchException? MismatchOf(ReplicaPrecondition condition)
    {
        var (highest, epoch) = TailPlanned(condition.PersistenceId);
        return highest == condition.PreviousSequenceNr && epoch == condition.PreviousEpoch
            ? null
            : new ReplicaLogMismatchException(condition.PersistenceId, condition.PreviousSequenceNr, condition.PreviousEpoch, highest == condition.PreviousSequenceNr ? epoch : null, "append",
                highest);
    }

    // Where the id's log ends, and that record's epoch, once this batch's planned operations are applied.
    private (long Highest, long? Epoch) TailPlanned(string persistenceId)
    {
        var (highest, _) = CurrentState(persistenceId);
        return (highest, EpochPlannedAt(persistenceId, highest));
    }

    // The epoch of the record at a sequence number once this batch's planned operations are applied: an event
    // written there decides it; one written below it, or a cut at or below it, removes it (a rewrite of a suffix
    // drops what followed); otherwise the index knows.
    private long? EpochPlannedAt(string persistenceId, long sequenceNr)
    {
        if (sequenceNr == 0) return 0;
        long? planned = null;
        var fromIndex = true;
        foreach (var op in _ops)
        {
            if (!string.Equals(op.PersistenceId, persistenceId, StringComparison.Ordinal) || op.SequenceNr > sequenceNr) continue;
            if (op.Kind == WalRecordType.Event)
            {
                planned = op.SequenceNr == sequenceNr ? op.Epoch : null;
                fromIndex = false;
            }
            else if (op.Kind == WalRecordType.Reset)
            {
                planned = op.SequenceNr == sequenceNr ? op.Epoch : null;
                fromIndex = false;
            }
            else if (op.Kind == WalRecordType.Truncation)
            {
                planned = null;
                fromIndex = false;
            }
        }

        if (!fromIndex) return planned;
        lock (_index.Gate)
            return _index.Find(persistenceId)?.EpochAt(sequenceNr);
    }
}
