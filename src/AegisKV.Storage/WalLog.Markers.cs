using AegisKV.Storage.Replication;

namespace AegisKV.Storage;

// Deletion and truncation markers: planned on the writer thread against the index plus the operations
// of the batch not yet applied, and appended like any record.
internal sealed partial class WalLog
{
    /// <summary>Plans a deletion or truncation marker; false when it would change nothing.</summary>
    private bool PlanMarker(MarkerCommand marker)
    {
        var (highest, deletedTo) = CurrentState(marker.PersistenceId);
        if (marker.Kind == WalRecordType.Reset)
        {
            AppendMarker(WalRecordCodec.EncodeReset(marker.PersistenceId, marker.SequenceNr, marker.Epoch),
                new IndexOp(WalRecordType.Reset, marker.PersistenceId, marker.SequenceNr, marker.SequenceNr, default, null, marker.Epoch));
        }
        else if (marker.Kind == WalRecordType.Deletion)
        {
            // Never beyond the highest: deleting "to MaxValue" must not hide events written later.
            var to = Math.Min(marker.SequenceNr, highest);
            if (to <= deletedTo)
                return false;
            var epoch = EpochPlannedAt(marker.PersistenceId, to) ?? 0;
            AppendMarker(WalRecordCodec.EncodeDeletion(marker.PersistenceId, to, highest, epoch),
                new IndexOp(WalRecordType.Deletion, marker.PersistenceId, to, highest, default, null, epoch));
        }
        else
        {
            if (marker.ExpectedEpochBefore is { } expected && EpochPlannedAt(marker.PersistenceId, marker.SequenceNr - 1) != expected)
            {
                marker.Fail(new ReplicaLogMismatchException(marker.PersistenceId, marker.SequenceNr - 1, expected,
                    EpochPlannedAt(marker.PersistenceId, marker.SequenceNr - 1), "truncation"));
                return false;
            }

            if (marker.SequenceNr > highest)
                return false;
            AppendMarker(WalRecordCodec.EncodeTruncation(marker.PersistenceId, marker.SequenceNr),
                new IndexOp(WalRecordType.Truncation, marker.PersistenceId, marker.SequenceNr, 0, default, null));
        }
        return true;
    }

    /// <summary>Highest and deleted-to of an id including the not yet applied operations of this batch.</summary>
    private (long Highest, long DeletedTo) CurrentState(string persistenceId)
    {
        long highest = 0, deletedTo = 0;
        lock (_index.Gate)
        {
            if (_index.Find(persistenceId) is { } state)
            {
                highest = state.HighestSequenceNr;
                deletedTo = state.DeletedTo;
            }
        }
        foreach (var op in _ops)
        {
            if (!string.Equals(op.PersistenceId, persistenceId, StringComparison.Ordinal))
                continue;
            switch (op.Kind)
            {
                case WalRecordType.Event:
                    highest = Math.Max(highest, op.SequenceNr);
                    break;
                case WalRecordType.Deletion:
                    deletedTo = Math.Max(deletedTo, op.SequenceNr);
                    highest = Math.Max(highest, op.HighestSequenceNr);
                    break;
                case WalRecordType.Truncation:
                    highest = Math.Min(highest, op.SequenceNr - 1);
                    deletedTo = Math.Min(deletedTo, op.SequenceNr - 1);
                    break;
                case WalRecordType.Reset:
                    highest = op.SequenceNr;
                    deletedTo = op.SequenceNr;
                    break;
            }
        }
        return (highest, deletedTo);
    }

    private void AppendMarker(byte[] record, IndexOp op)
    {
        _recordsWritten++;
        if (_settings.Mode == WalMode.Off)
        {
            _ops.Add(op);
            return;
        }
        EnsureRoom(record.Length);
        _ops.Add(op with { Segment = _active });
        _active!.RecordCount++;
        AddPending(record);
    }
}
