using Akka.Event;

namespace AegisKV.Storage;

// The start-up scan: reads every segment once, builds the index, repairs a torn tail and spots corruption.
internal sealed partial class WalLog
{
    private void Recover()
    {
        FileSystem.CreatePrivateDirectory(_directory);
        var files = new List<(long Position, string Path)>();
        foreach (var path in Directory.EnumerateFiles(_directory, "*" + WalFormat.SegmentFileExtension))
        {
            if (WalFormat.TryParseSegmentFileName(Path.GetFileName(path), out var position))
                files.Add((position, path));
            else
                _log.Warning("WAL: ignoring unexpected file {0}", path);
        }
        files.Sort((a, b) => a.Position.CompareTo(b.Position));

        var sink = new RecoverySink(this);
        var buffer = Array.Empty<byte>();
        var nextPosition = 0L; // positions never go backwards, even if every segment file is gone
        for (var i = 0; i < files.Count; i++)
        {
            var (position, path) = files[i];
            var isLast = i == files.Count - 1;
            var length = ReadWholeFile(path, ref buffer);
            // Past every file, a skipped one included: a new segment must never take a damaged file's name.
            nextPosition = Math.Max(nextPosition, position + length);
            var data = buffer.AsSpan(0, length);

            var damageBefore = _damage.Count;
            var status = WalFormat.ReadSegmentHeader(data, out var headerPosition, out var version, out var headerError);
            switch (status)
            {
                case SegmentHeaderStatus.Truncated when isLast:
                    // Crashed while creating the segment: it never held a record.
                    _log.Warning("WAL: {0} has a torn header ({1} bytes); removing the empty segment", path, length);
                    if (!_readOnly)
                        File.Delete(path);
                    continue;
                case SegmentHeaderStatus.Truncated:
                case SegmentHeaderStatus.NotASegment:
                    _log.Error("WAL: {0} at offset 0: {1}; file ignored", path, headerError);
                    NoteCorruption(path, 0, 0, length, headerError!);
                    continue;
                case SegmentHeaderStatus.UnsupportedVersion:
                    throw new IOException($"WAL segment {path}: {headerError}. Refusing to start rather than misread it.");
                case SegmentHeaderStatus.Corrupt:
                    _log.Error("WAL: {0} at offset 0: {1}; scanning its records anyway", path, headerError);
                    NoteCorruption(path, 0, 0, WalFormat.SegmentHeaderSize, headerError!);
                    break;
                case SegmentHeaderStatus.Valid when headerPosition != position:
                    _log.Error("WAL: {0} header says first position {1}; using the file name", path, headerPosition);
                    break;
            }

            var segment = new Segment(path, position, length) { Version = version };
            sink.Begin(segment, buffer);
            var result = SegmentScanner.Scan(data, WalFormat.SegmentHeaderSize, sink);
            segment.RecordCount = result.Records;
            if (!result.HasBadTail)
                segment.Length = result.ValidLength; // records go on after them, in the zero-filled room
            else if (isLast && result.TailTorn)
            {
                _log.Warning("WAL: torn tail in {0} at offset {1} ({2}); truncating the file from {3} to {4} bytes",
                    path, result.TailOffset, result.TailReason, length, result.ValidLength);
                if (!_readOnly)
                    TruncateFile(path, result.ValidLength);
                segment.Length = result.ValidLength;
                segment.AllocatedLength = result.ValidLength;
            }
            else if (result.HasBadTail)
            {
                // A complete record that does not verify: corruption, wherever it is. It stays in the file
                // (nothing is appended after it) until an operator repairs the WAL.
                _log.Error("WAL: corrupt data at the end of {0} at offset {1} ({2}); records are lost", path, result.TailOffset, result.TailReason);
                NoteCorruption(path, result.TailOffset, result.ValidLength, length, result.TailReason!);
                Suspect(data, path, result.TailOffset);
                _damagedTail = isLast;
            }
            segment.SyncedLength = segment.Length;
            segment.Damaged = _damage.Count > damageBefore;
            _segments.Add(segment);
            _metrics?.AddSegments(1);
        }

        // Ids first seen after corrupt data whose records do not start right after their deleted-to mark lost
        // their beginning to the corruption (compaction always leaves the deleted-to mark behind).
        foreach (var (persistenceId, state) in _index.States)
        {
            if (state.Corruption is null && state.SuspectFirstSequenceNr > state.DeletedTo + 1)
                MarkCorrupt(persistenceId, state, state.SuspectCorruption, state.DeletedTo);
            // The scan indexed records that later deletion markers dropped: keep only the room the survivors need.
            state.Entries.TrimExcess();
        }
        JudgeSuspects();
        CompareWithCheckpoint();
        if (_readOnly)
            return;

        if (_segments.Count == 0)
        {
            _active = CreateSegment(nextPosition);
        }
        else if (_damagedTail || _segments[^1].Version < WalFormat.Version)
        {
            // Keep damaged bytes as they are, for the operator and for the next start: write after them. Nor is an
            // older format's segment written to: a build that reads only that format must refuse the new one whole.
            var last = _segments[^1];
            _active = CreateSegment(last.FirstPosition + last.Length);
        }
        else
        {
            _active = _segments[^1];
            _active.WriteHandle();
        }
        _activeEnd = _active.Length;
        _log.Info("WAL: opened {0} with {1} segment(s), {2} persistence id(s), mode {3}",
            _directory, _segments.Count, _index.States.Count, _settings.Mode);
    }

    private void NoteCorruption(string file, long offset, long dropFrom, long end, string reason)
    {
        _corruptRegions++;
        _lastCorruption = (file, offset);
        _damage.Add(new WalDamage(file, offset, dropFrom, end, reason));
        _metrics?.CorruptRecords.Add(1);
    }

    // A record that fails its checksum most likely belongs to the id its body names: remember it, with
    // where that id stood, and judge once the whole log is read (it may turn out to be deleted already).
    private void Suspect(ReadOnlySpan<byte> data, string file, int offset)
    {
        if (WalRecordCodec.ProbableOwner(data, offset) is not var (persistenceId, sequenceNr))
        {
            _log.Error("WAL: the damaged record in {0} at offset {1} does not say whose it is; only the checkpoint can tell what was lost", file, offset);
            return;
        }
        var state = _index.GetOrAdd(persistenceId);
        _suspects.Add((persistenceId, sequenceNr, state.HighestSequenceNr, file, offset, _corruptRegions));
    }

    private void JudgeSuspects()
    {
        foreach (var (persistenceId, sequenceNr, highestBefore, file, offset, region) in _suspects)
        {
            var state = _index.GetOrAdd(persistenceId);
            // Already judged, compacted since, or reset since (a replica that discarded its copy): nothing is missing.
            if (state.Corruption is not null || (sequenceNr > 0 && sequenceNr <= state.DeletedTo) || state.ResetAtRegion >= region)
                continue;
            var lastGood = sequenceNr > 0 ? Math.Min(sequenceNr - 1, highestBefore) : highestBefore;
            MarkCorrupt(persistenceId, state, (file, offset), lastGood);
        }
        _suspects.Clear();
    }

    // The checkpoint holds each id's high-water mark as of its last save: an id whose records fall short
    // of it lost acknowledged records, whether or not the damage left a trace in the segments.
    private void CompareWithCheckpoint()
    {
        if (!WalCheckpoint.TryLoad(_directory, out var marks, out var problem))
        {
            _log.Error("WAL: {0}; the loss of the newest records cannot be checked this time", problem);
            _checkpointProblem = problem;
            _metrics?.CorruptRecords.Add(1);
            return;
        }
        if (_ignoreCheckpoint)
            return;
        _checkpointFloor = marks;
        foreach (var (persistenceId, mark) in marks)
        {
            var state = _index.GetOrAdd(persistenceId);
            if (state.Corruption is not null || state.HighestSequenceNr >= mark)
                continue;
            var lost = $"records {state.HighestSequenceNr + 1}..{mark} were acknowledged (the checkpoint holds {mark})";
            if (_corruptRegions > 0)
                MarkCorrupt(persistenceId, state, _lastCorruption, state.HighestSequenceNr, lost + " but are lost to WAL corruption in {0} at offset {1}");
            else
                MarkCorrupt(persistenceId, state, (Path.Combine(_directory, WalCheckpoint.FileName), 0), state.HighestSequenceNr, lost + " but no segment holds them");
        }
    }

    // `what` may place the file and offset with {0} and {1}; by default they follow it.
    private void MarkCorrupt(string persistenceId, PidState state, (string File, long Offset) at, long lastGoodSequenceNr, string? what = null)
    {
        what ??= $"records after sequence number {lastGoodSequenceNr} are lost to WAL corruption in {{0}} at offset {{1}}";
        state.Corruption = new WalCorruptionException(
            $"Persistence id '{persistenceId}': {string.Format(System.Globalization.CultureInfo.InvariantCulture, what, at.File, at.Offset)}; it is not served until 'aegis wal repair --accept-loss' drops what was lost.",
            at.File, at.Offset, persistenceId);
        state.CorruptAfter = lastGoodSequenceNr;
        _log.Error("WAL: {0}", state.Corruption.Message);
    }

    private static int ReadWholeFile(string path, ref byte[] buffer)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var length = RandomAccess.GetLength(handle);
        if (length > Array.MaxLength)
            throw new IOException($"WAL segment {path} is {length} bytes, larger than any segment this journal writes.");
        if (buffer.Length < length)
            buffer = GC.AllocateUninitializedArray<byte>((int)Math.Min(Array.MaxLength, Math.Max(length, buffer.Length * 2L)));
        return FileSystem.ReadFully(handle, buffer.AsSpan(0, (int)length), 0);
    }

    private static void TruncateFile(string path, long length)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        RandomAccess.SetLength(handle, length);
        RandomAccess.FlushToDisk(handle);
    }

    /// <summary>Turns scanned records into index operations and spots sequence gaps after corrupt data.</summary>
    private sealed class RecoverySink(WalLog wal) : ISegmentScanSink
    {
        private Segment? _segment;
        private byte[] _data = [];

        public void Begin(Segment segment, byte[] data)
        {
            _segment = segment;
            _data = data;
        }

        public void OnRecord(int offset, ReadOnlySpan<byte> record)
        {
            WalRecordCodec.TryParseBody(WalRecordCodec.Body(record), out var view);
            var persistenceId = view.PersistenceId;
            var state = wal._index.GetOrAdd(persistenceId);
            var seen = state.LastRecordSegment is not null;
            switch (view.Type)
            {
                case WalRecordType.Event:
                    var sequenceNr = view.SequenceNr;
                    if (wal._corruptRegions > state.SeenCorruptRegions && state.Corruption is null)
                    {
                        if (seen && sequenceNr > state.HighestSequenceNr + 1)
                            wal.MarkCorrupt(persistenceId, state, wal._lastCorruption, state.HighestSequenceNr);
                        else if (!seen && sequenceNr > 1)
                        {
                            state.SuspectFirstSequenceNr = sequenceNr;
                            state.SuspectCorruption = wal._lastCorruption;
                        }
                    }
                    WalIndex.Apply(state, new IndexOp(WalRecordType.Event, persistenceId, sequenceNr, 0,
                        new WalEntry(sequenceNr, _segment, offset, record.Length, null), _segment, view.Epoch));
                    break;
                case WalRecordType.Deletion:
                    WalIndex.Apply(state, new IndexOp(WalRecordType.Deletion, persistenceId, view.SequenceNr, view.HighestSequenceNr, default, _segment, view.Epoch));
                    break;
                case WalRecordType.Truncation:
                    WalIndex.Apply(state, new IndexOp(WalRecordType.Truncation, persistenceId, view.SequenceNr, 0, default, _segment));
                    if (state.SuspectFirstSequenceNr >= view.SequenceNr)
                        state.SuspectFirstSequenceNr = 0;
                    break;
                case WalRecordType.Reset:
                    WalIndex.Apply(state, new IndexOp(WalRecordType.Reset, persistenceId, view.SequenceNr, view.SequenceNr, default, _segment, view.Epoch));
                    state.SuspectFirstSequenceNr = 0;
                    state.ResetAtRegion = wal._corruptRegions;
                    break;
            }
            state.SeenCorruptRegions = wal._corruptRegions;
        }

        public void OnCorruption(int offset, string reason, int resumeOffset, int dropFrom)
        {
            var path = _segment!.Path;
            wal._log.Error("WAL: corrupt record in {0} at offset {1} ({2}); resynchronised at offset {3}", path, offset, reason, resumeOffset);
            wal.NoteCorruption(path, offset, dropFrom, resumeOffset, reason);
            wal.Suspect(_data.AsSpan(0, (int)_segment.Length), path, offset);
        }
    }
}
