using Akka.Event;

namespace AegisKV.Storage;

// Compaction: removes the oldest segments once every record in them is deleted.
internal sealed partial class WalLog
{
    /// <summary>
    /// Deletes the oldest segments whose every record is deleted or truncated. Only a prefix goes: markers
    /// always follow the records they cover, so no surviving marker can refer to a removed record. Ids whose
    /// newest record or deleted-to mark would vanish get a fresh deletion marker first, which keeps the highest
    /// sequence number from going backwards (a reset marker for an id with no record left, which also keeps the
    /// epoch of the entry its log ends at).
    /// </summary>
    private void Compact()
    {
        var count = 0;
        var checkpoints = new List<(string PersistenceId, long DeletedTo, long Highest, long? Epoch, long DeletedToEpoch)>();
        lock (_index.Gate)
        {
            // A segment with damage in it stays: it is the evidence until an operator repairs the WAL.
            while (count < _segments.Count && _segments[count] != _active && _segments[count].LiveRecords == 0 && !_segments[count].Damaged)
                count++;
            if (count == 0)
                return;
            var boundary = _segments[count].FirstPosition;
            foreach (var (persistenceId, state) in _index.States)
            {
                if (state.HighestSequenceNr == 0)
                    continue; // nothing worth remembering
                var lastGoes = state.LastRecordSegment is { } last && last.FirstPosition < boundary;
                var markGoes = state.DeletedTo > 0 && state.LastDeletionSegment is { } mark && mark.FirstPosition < boundary;
                // An id with no record left keeps the epoch its log ends at (a follower appends after it) with a reset.
                if (lastGoes || markGoes)
                    checkpoints.Add((persistenceId, state.DeletedTo, state.HighestSequenceNr,
                        state.Entries.Count == 0 && state.DeletedTo == state.HighestSequenceNr ? state.EpochAt(state.HighestSequenceNr) : null,
                        state.EpochAt(state.DeletedTo) ?? 0));
            }
        }

        foreach (var (persistenceId, deletedTo, highest, epoch, deletedToEpoch) in checkpoints)
        {
            if (epoch is { } known)
                AppendMarker(WalRecordCodec.EncodeReset(persistenceId, highest, known),
                    new IndexOp(WalRecordType.Reset, persistenceId, highest, highest, default, null, known));
            else
                AppendMarker(WalRecordCodec.EncodeDeletion(persistenceId, deletedTo, highest, deletedToEpoch),
                    new IndexOp(WalRecordType.Deletion, persistenceId, deletedTo, highest, default, null, deletedToEpoch));
        }
        FlushPending();
        if (_unsynced)
            SyncActive(); // checkpoints must be durable before the data they replace disappears
        ApplyOps();

        for (var i = 0; i < count; i++)
            _segments[i].Retire(deleteFile: true);
        lock (_queueGate)
            _segments.RemoveRange(0, count);
        _metrics?.AddSegments(-count);
        try
        {
            FileSystem.SyncDirectory(_directory);
        }
        catch (IOException e)
        {
            // The checkpoints are durable already; an unsynced removal at worst leaves a segment for the next start.
            _log.Warning("WAL: could not sync {0} after compaction: {1}", _directory, e.Message);
        }
        _log.Debug("WAL: compaction removed {0} segment(s), wrote {1} checkpoint marker(s)", count, checkpoints.Count);
    }

    /// <summary>Asks the writer loop to compact (used once after start-up).</summary>
    private sealed class CompactCommand : WalCommand
    {
        public override void Complete()
        {
        }

        public override void Fail(Exception cause)
        {
        }
    }
}
