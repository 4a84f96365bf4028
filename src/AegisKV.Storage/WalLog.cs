using System.Buffers;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Akka.Event;
using Microsoft.Win32.SafeHandles;

namespace AegisKV.Storage;

/// <summary>Receives each replayed record; the view is only valid during the call.</summary>
internal delegate void WalRecordVisitor(WalRecordView record);

/// <summary>
/// The write-ahead log behind <see cref="WalJournal"/>: segment files, the in-memory index and a single
/// writer thread that group-commits everything queued (one write and at most one fsync per batch, across
/// all persistence ids). Knows records, not domain types.
/// </summary>
internal sealed class WalLog : IDisposable
{
    private readonly WalJournalSettings _settings;
    private readonly ILoggingAdapter _log;
    private readonly Action<Exception>? _onFailure;
    private readonly string _directory;
    private readonly WalIndex _index = new();
    private readonly List<Segment> _segments = [];
    private readonly List<IndexOp> _ops = [];
    private readonly List<ReadOnlyMemory<byte>> _pending = [];
    private readonly object _queueGate = new();
    private List<WalCommand> _queue = [];
    private Thread? _writer;
    private bool _stopping;
    private Exception? _failure;

    // Writer-thread state.
    private Segment? _active;
    private long _activeEnd;
    private long _pendingBytes;
    private bool _unsynced;
    private long _lastSync;

    private long _recordsWritten;
    private long _bytesWritten;
    private long _fsyncs;
    private int _corruptRegions;
    private (string File, long Offset) _lastCorruption;

    private WalLog(WalJournalSettings settings, ILoggingAdapter log, Action<Exception>? onFailure)
    {
        _settings = settings;
        _log = log;
        _onFailure = onFailure;
        _directory = Path.GetFullPath(settings.Directory);
    }

    public Exception? Failure => Volatile.Read(ref _failure);

    /// <summary>Scans the directory (unless mode off), repairs a torn tail and starts the writer thread.</summary>
    public static WalLog Open(WalJournalSettings settings, ILoggingAdapter log, Action<Exception>? onFailure = null)
    {
        settings.Validate();
        var wal = new WalLog(settings, log, onFailure);
        try
        {
            if (settings.Mode != WalMode.Off)
                wal.Recover();
            wal._lastSync = Stopwatch.GetTimestamp();
            wal._writer = new Thread(wal.Run) { IsBackground = true, Name = "aegis-wal-writer" };
            wal._writer.Start();
        }
        catch
        {
            wal.CloseSegments();
            throw;
        }
        // Segments fully covered by deletions before the restart can go now.
        if (settings.Mode != WalMode.Off)
            wal.Enqueue(new CompactCommand());
        return wal;
    }

    public Task<IImmutableList<Exception>> Write(WriteCommand command)
    {
        Enqueue(command);
        return command.Task;
    }

    public Task Delete(string persistenceId, long toSequenceNr)
    {
        var command = new MarkerCommand(WalRecordType.Deletion, persistenceId, toSequenceNr);
        Enqueue(command);
        return command.Task;
    }

    public Task Truncate(string persistenceId, long fromSequenceNr)
    {
        var command = new MarkerCommand(WalRecordType.Truncation, persistenceId, fromSequenceNr);
        Enqueue(command);
        return command.Task;
    }

    /// <summary>Completes when everything queued before it has been written (per mode).</summary>
    public Task Barrier()
    {
        var command = new BarrierCommand();
        Enqueue(command);
        return command.Task;
    }

    public long HighestSequenceNr(string persistenceId)
    {
        lock (_index.Gate)
            return _index.Find(persistenceId)?.HighestSequenceNr ?? 0;
    }

    public WalStats Stats()
    {
        int segments, ids;
        lock (_index.Gate)
            ids = _index.States.Count;
        lock (_queueGate)
            segments = _segments.Count;
        return new WalStats(_settings.Mode, Interlocked.Read(ref _recordsWritten), Interlocked.Read(ref _bytesWritten),
            Interlocked.Read(ref _fsyncs), segments, Volatile.Read(ref _corruptRegions), ids);
    }

    /// <summary>
    /// Reads the records of <paramref name="persistenceId"/> in [from, to], at most <paramref name="max"/>, in order.
    /// Runs on the caller's thread; the segments involved are pinned so compaction cannot remove them meanwhile.
    /// </summary>
    /// <exception cref="WalCorruptionException">The id lost records to corruption, or a record no longer verifies.</exception>
    public void Replay(string persistenceId, long fromSequenceNr, long toSequenceNr, long max, WalRecordVisitor visitor)
    {
        if (Failure is { } failure)
            throw new IOException("The WAL stopped after an I/O failure.", failure);
        if (max <= 0 || fromSequenceNr > toSequenceNr)
            return;

        var entries = new List<WalEntry>();
        var pinned = new List<(Segment Segment, SafeFileHandle Handle)>();
        lock (_index.Gate)
        {
            var state = _index.Find(persistenceId);
            if (state is null)
                return;
            if (state.Corruption is { } corruption)
                throw new WalCorruptionException(corruption.Message, corruption.FilePath, corruption.Offset, persistenceId);
            var list = state.Entries;
            for (var i = WalIndex.LowerBound(list, fromSequenceNr); i < list.Count && entries.Count < max; i++)
            {
                var entry = list[i];
                if (entry.SequenceNr > toSequenceNr)
                    break;
                entries.Add(entry);
                if (entry.Segment is { } segment && IndexOf(pinned, segment) < 0)
                    pinned.Add((segment, segment.Acquire()));
            }
        }

        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            var pin = 0;
            foreach (var entry in entries)
            {
                ReadOnlySpan<byte> record;
                string file;
                if (entry.Record is { } inMemory)
                {
                    record = inMemory;
                    file = "(memory)";
                }
                else
                {
                    if (pinned[pin].Segment != entry.Segment)
                        pin = IndexOf(pinned, entry.Segment!);
                    if (buffer.Length < entry.Length)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = ArrayPool<byte>.Shared.Rent(entry.Length);
                    }
                    file = pinned[pin].Segment.Path;
                    var read = ReadFully(pinned[pin].Handle, buffer.AsSpan(0, entry.Length), entry.Offset);
                    record = buffer.AsSpan(0, read);
                }
                var check = WalRecordCodec.Check(record, 0, out var length);
                if (check != RecordCheck.Valid || length != entry.Length
                    || !WalRecordCodec.TryParseBody(WalRecordCodec.Body(record[..length]), out var view)
                    || view.SequenceNr != entry.SequenceNr)
                {
                    WalMetrics.CorruptRecords.Add(1);
                    throw new WalCorruptionException(
                        $"WAL record of '{persistenceId}' sequence number {entry.SequenceNr} in {file} at offset {entry.Offset} no longer verifies: {check.Describe()}.",
                        file, entry.Offset, persistenceId);
                }
                visitor(view);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            foreach (var (segment, _) in pinned)
                segment.Release();
        }
    }

    private static int IndexOf(List<(Segment Segment, SafeFileHandle Handle)> pinned, Segment segment)
    {
        // Entries are in log order, so the match is almost always the last one.
        for (var i = pinned.Count - 1; i >= 0; i--)
        {
            if (pinned[i].Segment == segment)
                return i;
        }
        return -1;
    }

    public void Dispose()
    {
        lock (_queueGate)
        {
            if (_stopping)
                return;
            _stopping = true;
            Monitor.Pulse(_queueGate);
        }
        if (_writer is { } writer && !writer.Join(TimeSpan.FromSeconds(30)))
            _log.Error("WAL writer thread did not stop within 30 s; closing segments anyway.");
        CloseSegments();
    }

    private void CloseSegments()
    {
        lock (_queueGate)
        {
            foreach (var segment in _segments)
                segment.Retire(deleteFile: false);
            WalMetrics.AddSegments(-_segments.Count);
            _segments.Clear();
        }
    }

    private void Enqueue(WalCommand command)
    {
        lock (_queueGate)
        {
            if (_stopping)
            {
                command.Fail(new ObjectDisposedException(nameof(WalLog), "The WAL is closed."));
                return;
            }
            _queue.Add(command);
            if (_queue.Count == 1)
                Monitor.Pulse(_queueGate);
        }
    }

    // ---------------------------------------------------------------- start-up scan

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
            nextPosition = Math.Max(nextPosition, position);
            var data = buffer.AsSpan(0, length);

            var status = WalFormat.ReadSegmentHeader(data, out var headerPosition, out var headerError);
            switch (status)
            {
                case SegmentHeaderStatus.Truncated when isLast:
                    // Crashed while creating the segment: it never held a record.
                    _log.Warning("WAL: {0} has a torn header ({1} bytes); removing the empty segment", path, length);
                    File.Delete(path);
                    continue;
                case SegmentHeaderStatus.Truncated:
                case SegmentHeaderStatus.NotASegment:
                    _log.Error("WAL: {0} at offset 0: {1}; file ignored", path, headerError);
                    NoteCorruption(path, 0);
                    continue;
                case SegmentHeaderStatus.UnsupportedVersion:
                    throw new IOException($"WAL segment {path}: {headerError}. Refusing to start rather than misread it.");
                case SegmentHeaderStatus.Corrupt:
                    _log.Error("WAL: {0} at offset 0: {1}; scanning its records anyway", path, headerError);
                    NoteCorruption(path, 0);
                    break;
                case SegmentHeaderStatus.Valid when headerPosition != position:
                    _log.Error("WAL: {0} header says first position {1}; using the file name", path, headerPosition);
                    break;
            }

            var segment = new Segment(path, position, length);
            sink.Begin(segment);
            var result = SegmentScanner.Scan(data, WalFormat.SegmentHeaderSize, sink);
            segment.RecordCount = result.Records;
            if (result.HasBadTail)
            {
                if (isLast)
                {
                    _log.Warning("WAL: torn tail in {0} at offset {1} ({2}); truncating the file from {3} to {4} bytes",
                        path, result.TailOffset, result.TailReason, length, result.ValidLength);
                    TruncateFile(path, result.ValidLength);
                    segment.Length = result.ValidLength;
                }
                else
                {
                    _log.Error("WAL: corrupt data at the end of {0} at offset {1} ({2}); later segments follow, so records are lost",
                        path, result.TailOffset, result.TailReason);
                    NoteCorruption(path, result.TailOffset);
                }
            }
            _segments.Add(segment);
            WalMetrics.AddSegments(1);
        }

        // Ids first seen after corrupt data whose records do not start right after their deleted-to mark lost
        // their beginning to the corruption (compaction always leaves the deleted-to mark behind).
        foreach (var (persistenceId, state) in _index.States)
        {
            if (state.Corruption is null && state.SuspectFirstSequenceNr > state.DeletedTo + 1)
                MarkCorrupt(persistenceId, state, state.SuspectCorruption, state.DeletedTo);
        }

        if (_segments.Count == 0)
        {
            _active = CreateSegment(nextPosition);
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

    private void NoteCorruption(string file, long offset)
    {
        _corruptRegions++;
        _lastCorruption = (file, offset);
        WalMetrics.CorruptRecords.Add(1);
    }

    private void MarkCorrupt(string persistenceId, PidState state, (string File, long Offset) at, long lastGoodSequenceNr)
    {
        state.Corruption = new WalCorruptionException(
            $"Persistence id '{persistenceId}' lost records after sequence number {lastGoodSequenceNr} to WAL corruption in {at.File} at offset {at.Offset}; refusing to replay it.",
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
        return ReadFully(handle, buffer.AsSpan(0, (int)length), 0);
    }

    private static int ReadFully(SafeFileHandle handle, Span<byte> destination, long offset)
    {
        var total = 0;
        while (total < destination.Length)
        {
            var read = RandomAccess.Read(handle, destination[total..], offset + total);
            if (read == 0)
                break;
            total += read;
        }
        return total;
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

        public void Begin(Segment segment) => _segment = segment;

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
                        new WalEntry(sequenceNr, _segment, offset, record.Length, null), _segment));
                    break;
                case WalRecordType.Deletion:
                    WalIndex.Apply(state, new IndexOp(WalRecordType.Deletion, persistenceId, view.SequenceNr, view.HighestSequenceNr, default, _segment));
                    break;
                case WalRecordType.Truncation:
                    WalIndex.Apply(state, new IndexOp(WalRecordType.Truncation, persistenceId, view.SequenceNr, 0, default, _segment));
                    if (state.SuspectFirstSequenceNr >= view.SequenceNr)
                        state.SuspectFirstSequenceNr = 0;
                    break;
            }
            state.SeenCorruptRegions = wal._corruptRegions;
        }

        public void OnCorruption(int offset, string reason, int resumeOffset)
        {
            var path = _segment!.Path;
            wal._log.Error("WAL: corrupt record in {0} at offset {1} ({2}); resynchronised at offset {3}", path, offset, reason, resumeOffset);
            wal.NoteCorruption(path, offset);
        }
    }

    // ---------------------------------------------------------------- writer loop

    private void Run()
    {
        var batch = new List<WalCommand>();
        while (true)
        {
            bool stopping;
            lock (_queueGate)
            {
                while (_queue.Count == 0 && !_stopping)
                {
                    if (!_unsynced || _settings.Mode != WalMode.Write)
                    {
                        Monitor.Wait(_queueGate);
                        continue;
                    }
                    var due = SyncDueIn();
                    if (due <= TimeSpan.Zero)
                        break;
                    Monitor.Wait(_queueGate, due);
                }
                (_queue, batch) = (batch, _queue);
                stopping = _stopping;
            }

            try
            {
                if (batch.Count > 0)
                    ProcessBatch(batch);
                // Mode write: the background fsync; any mode: nothing stays unsynced after a clean stop.
                var due = stopping || (_settings.Mode == WalMode.Write && SyncDueIn() <= TimeSpan.Zero);
                if (_unsynced && due && _settings.Mode != WalMode.Off && Failure is null)
                    SyncActive();
            }
            catch (Exception e)
            {
                // Never let the writer thread die (that would hang every waiting writer): fail instead.
                EnterFailure(e);
                FailAll(batch, e);
            }
            batch.Clear();
            if (stopping)
            {
                lock (_queueGate)
                {
                    if (_queue.Count == 0)
                        return;
                }
            }
        }
    }

    private TimeSpan SyncDueIn() => _settings.FsyncInterval - Stopwatch.GetElapsedTime(_lastSync);

    private void ProcessBatch(List<WalCommand> batch)
    {
        if (Failure is { } failed)
        {
            FailAll(batch, new IOException("The WAL stopped after an I/O failure.", failed));
            return;
        }

        var recordsBefore = _recordsWritten;
        var compact = false;
        try
        {
            foreach (var command in batch)
            {
                switch (command)
                {
                    case WriteCommand write:
                        PlanWrite(write);
                        break;
                    case MarkerCommand marker:
                        compact |= PlanMarker(marker);
                        break;
                    case CompactCommand:
                        compact = true;
                        break;
                }
            }
            FlushPending();
            if (_unsynced && _settings.Mode == WalMode.Fsync)
                SyncActive();
            ApplyOps();
        }
        catch (Exception e)
        {
            EnterFailure(e);
            FailAll(batch, e);
            return;
        }

        WalMetrics.RecordsWritten.Add(_recordsWritten - recordsBefore);
        foreach (var command in batch)
            command.Complete();

        if (compact && _settings.Mode != WalMode.Off)
        {
            try
            {
                Compact();
            }
            catch (Exception e)
            {
                EnterFailure(e);
            }
        }
    }

    private static void FailAll(List<WalCommand> batch, Exception cause)
    {
        foreach (var command in batch)
            command.Fail(cause);
    }

    private void EnterFailure(Exception cause)
    {
        _ops.Clear();
        _pending.Clear();
        _pendingBytes = 0;
        _unsynced = false; // nothing more will be synced; also keeps the mode-write timer from spinning
        if (Interlocked.CompareExchange(ref _failure, cause, null) is not null)
            return;
        // After a failed write or fsync the file's state is unknown (and Linux may drop dirty pages after a failed
        // fsync), so stop accepting writes; the journal restarts and rescans, which cuts off any torn tail.
        _log.Error(cause, "WAL: I/O failure in {0}; the WAL stops accepting writes", _directory);
        _onFailure?.Invoke(cause);
    }

    private void PlanWrite(WriteCommand write)
    {
        var buffer = write.Buffer.Array;
        var count = write.RecordCount;
        var first = 0;
        while (first < count)
        {
            var last = first;
            while (!write.Record(last).EndsAtomicWrite)
                last++;
            var groupStart = write.Record(first).Offset;
            var groupLength = write.Record(last).Offset + write.Record(last).Length - groupStart;

            if (_settings.Mode == WalMode.Off)
            {
                for (var i = first; i <= last; i++)
                {
                    ref readonly var record = ref write.Record(i);
                    var bytes = buffer.AsSpan(record.Offset, record.Length).ToArray();
                    _ops.Add(new IndexOp(WalRecordType.Event, record.PersistenceId, record.SequenceNr, 0,
                        new WalEntry(record.SequenceNr, null, 0, record.Length, bytes), null));
                }
            }
            else
            {
                // An atomic write never spans segments, so a torn or lost segment cannot split it.
                EnsureRoom(groupLength);
                var segment = _active!;
                var baseOffset = _activeEnd - groupStart;
                for (var i = first; i <= last; i++)
                {
                    ref readonly var record = ref write.Record(i);
                    _ops.Add(new IndexOp(WalRecordType.Event, record.PersistenceId, record.SequenceNr, 0,
                        new WalEntry(record.SequenceNr, segment, baseOffset + record.Offset, record.Length, null), segment));
                }
                AddPending(new ReadOnlyMemory<byte>(buffer, groupStart, groupLength));
                segment.RecordCount += last - first + 1;
            }
            _recordsWritten += last - first + 1;
            first = last + 1;
        }
    }

    /// <summary>Plans a deletion or truncation marker; false when it would change nothing.</summary>
    private bool PlanMarker(MarkerCommand marker)
    {
        var (highest, deletedTo) = CurrentState(marker.PersistenceId);
        if (marker.Kind == WalRecordType.Deletion)
        {
            // Never beyond the highest: deleting "to MaxValue" must not hide events written later.
            var to = Math.Min(marker.SequenceNr, highest);
            if (to <= deletedTo)
                return false;
            AppendMarker(WalRecordCodec.EncodeDeletion(marker.PersistenceId, to, highest),
                new IndexOp(WalRecordType.Deletion, marker.PersistenceId, to, highest, default, null));
        }
        else
        {
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

    private void AddPending(ReadOnlyMemory<byte> bytes)
    {
        // Adjacent atomic writes of one request sit next to each other in its buffer: write them as one span.
        if (_pending.Count > 0
            && MemoryMarshal.TryGetArray(_pending[^1], out var previous)
            && MemoryMarshal.TryGetArray(bytes, out var next)
            && ReferenceEquals(previous.Array, next.Array)
            && previous.Offset + previous.Count == next.Offset)
        {
            _pending[^1] = new ReadOnlyMemory<byte>(previous.Array, previous.Offset, previous.Count + next.Count);
        }
        else
        {
            _pending.Add(bytes);
        }
        _pendingBytes += bytes.Length;
        _activeEnd += bytes.Length;
    }

    private void EnsureRoom(int length)
    {
        if (_active!.RecordCount > 0 && _activeEnd + length > _settings.SegmentSize)
            Roll();
    }

    private void Roll()
    {
        FlushPending();
        if (_unsynced)
            SyncActive(); // the full segment is durable before anything lands in the next one
        var next = CreateSegment(_active!.FirstPosition + _active.Length);
        _active = next;
        _activeEnd = next.Length;
    }

    private Segment CreateSegment(long position)
    {
        var path = Path.Combine(_directory, WalFormat.SegmentFileName(position));
        Span<byte> header = stackalloc byte[WalFormat.SegmentHeaderSize];
        WalFormat.WriteSegmentHeader(header, position);
        using (var stream = new FileStream(path, FileSystem.NewFileOptions()))
            stream.Write(header);
        var segment = new Segment(path, position, WalFormat.SegmentHeaderSize);
        segment.WriteHandle();
        lock (_queueGate)
            _segments.Add(segment);
        WalMetrics.AddSegments(1);
        Interlocked.Add(ref _bytesWritten, WalFormat.SegmentHeaderSize);
        WalMetrics.WrittenBytes.Add(WalFormat.SegmentHeaderSize);
        _unsynced = true;
        FileSystem.SyncDirectory(_directory);
        return segment;
    }

    private void FlushPending()
    {
        if (_pending.Count == 0)
            return;
        var segment = _active!;
        var handle = segment.WriteHandle();
        if (_pending.Count == 1)
            RandomAccess.Write(handle, _pending[0].Span, segment.Length);
        else
            RandomAccess.Write(handle, _pending, segment.Length);
        segment.Length = _activeEnd;
        Interlocked.Add(ref _bytesWritten, _pendingBytes);
        WalMetrics.WrittenBytes.Add(_pendingBytes);
        _pending.Clear();
        _pendingBytes = 0;
        _unsynced = true;
    }

    private void SyncActive()
    {
        var started = Stopwatch.GetTimestamp();
        RandomAccess.FlushToDisk(_active!.WriteHandle());
        WalMetrics.FsyncSeconds.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        WalMetrics.Fsyncs.Add(1);
        Interlocked.Increment(ref _fsyncs);
        _unsynced = false;
        _lastSync = Stopwatch.GetTimestamp();
    }

    private void ApplyOps()
    {
        if (_ops.Count == 0)
            return;
        lock (_index.Gate)
        {
            foreach (var op in _ops)
                _index.Apply(op);
        }
        _ops.Clear();
    }

    /// <summary>
    /// Deletes the oldest segments whose every record is deleted or truncated. Only a prefix goes: markers
    /// always follow the records they cover, so no surviving marker can refer to a removed record. Ids whose
    /// newest record or deleted-to mark would vanish get a fresh deletion marker first, which keeps the highest
    /// sequence number from going backwards.
    /// </summary>
    private void Compact()
    {
        var count = 0;
        var checkpoints = new List<(string PersistenceId, long DeletedTo, long Highest)>();
        lock (_index.Gate)
        {
            while (count < _segments.Count && _segments[count] != _active && _segments[count].LiveRecords == 0)
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
                if (lastGoes || markGoes)
                    checkpoints.Add((persistenceId, state.DeletedTo, state.HighestSequenceNr));
            }
        }

        foreach (var (persistenceId, deletedTo, highest) in checkpoints)
        {
            AppendMarker(WalRecordCodec.EncodeDeletion(persistenceId, deletedTo, highest),
                new IndexOp(WalRecordType.Deletion, persistenceId, deletedTo, highest, default, null));
        }
        FlushPending();
        if (_unsynced)
            SyncActive(); // checkpoints must be durable before the data they replace disappears
        ApplyOps();

        for (var i = 0; i < count; i++)
            _segments[i].Retire(deleteFile: true);
        lock (_queueGate)
            _segments.RemoveRange(0, count);
        WalMetrics.AddSegments(-count);
        FileSystem.SyncDirectory(_directory);
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
