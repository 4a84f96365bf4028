using System.Buffers;
using System.Collections.Immutable;
using System.Diagnostics;
using Akka.Event;
using Microsoft.Win32.SafeHandles;

namespace AegisKV.Storage;

/// <summary>Receives each replayed record; the view is only valid during the call.</summary>
internal delegate void WalRecordVisitor(WalRecordView record);

/// <summary>Sees one record with its body as stored; returns false to stop reading.</summary>
internal delegate bool WalRawRecordVisitor(ReadOnlySpan<byte> body, WalRecordView record);

/// <summary>
/// The write-ahead log behind <see cref="WalJournal"/>: segment files, the in-memory index and a single
/// writer thread that group-commits everything queued (one write and at most one fsync per batch, across
/// all persistence ids). Knows records, not domain types.
/// </summary>
internal sealed partial class WalLog : IDisposable
{
    private readonly WalJournalSettings _settings;
    private readonly ILoggingAdapter _log;
    private readonly Action<Exception>? _onFailure;
    private readonly WalMetrics? _metrics;
    private readonly string _directory;
    private readonly WalIndex _index = new();
    private readonly List<Segment> _segments = [];
    private readonly List<IndexOp> _ops = [];
    private readonly List<ReadOnlyMemory<byte>> _pending = [];
    private readonly object _queueGate = new();
    private List<WalCommand> _queue = [];
    private Thread? _writer;
    private bool _stopping;
    private bool _writing; // a batch is being written, by the writer thread or inline by its submitter
    private readonly List<WalCommand> _inline = new(1);
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
    private readonly List<WalDamage> _damage = [];
    private readonly List<(string PersistenceId, long SequenceNr, long HighestBefore, string File, long Offset, int Region)> _suspects = [];
    private bool _damagedTail;
    private bool _readOnly;
    private bool _ignoreCheckpoint;
    private string? _checkpointProblem;
    private Dictionary<string, long> _checkpointFloor = new(StringComparer.Ordinal);

    private WalLog(WalJournalSettings settings, ILoggingAdapter log, Action<Exception>? onFailure, WalMetrics? metrics = null)
    {
        _metrics = metrics;
        _settings = settings;
        _log = log;
        _onFailure = onFailure;
        _directory = Path.GetFullPath(settings.Directory);
    }

    public Exception? Failure => Volatile.Read(ref _failure);

    /// <summary>
    /// Scans the directory (unless mode off), repairs a torn tail and starts the writer thread. With
    /// <paramref name="ignoreCheckpoint"/> (repair only) the checkpoint is not compared, and is rewritten on close.
    /// Counts on <paramref name="metrics"/> when given.
    /// </summary>
    public static WalLog Open(WalJournalSettings settings, ILoggingAdapter log, Action<Exception>? onFailure = null, bool ignoreCheckpoint = false,
        WalMetrics? metrics = null)
    {
        settings.Validate();
        var wal = new WalLog(settings, log, onFailure, metrics) { _ignoreCheckpoint = ignoreCheckpoint };
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

    /// <summary>
    /// Reads the directory as the start-up scan does, changing nothing, and says what is damaged and
    /// which ids lost records: the plan of <c>aegis wal repair</c>.
    /// </summary>
    public static WalAnalysis Analyze(WalJournalSettings settings, ILoggingAdapter log)
    {
        var wal = new WalLog(settings, log, null) { _readOnly = true };
        if (Directory.Exists(wal._directory))
            wal.Recover();
        var ids = new List<WalLostRecords>();
        foreach (var (persistenceId, state) in wal._index.States)
        {
            if (state.Corruption is not { } corruption)
                continue;
            ids.Add(new WalLostRecords(persistenceId, state.CorruptAfter, state.Entries.CountAbove(state.CorruptAfter), corruption.Message));
        }
        ids.Sort((a, b) => string.CompareOrdinal(a.PersistenceId, b.PersistenceId));
        return new WalAnalysis(wal._directory, [.. wal._damage], ids, wal._checkpointProblem);
    }

    public Task<IImmutableList<Exception>> Write(WriteCommand command)
    {
        Enqueue(command);
        return command.Task;
    }

    /// <summary>
    /// Writes a command that reports to its callback: on the caller's thread when the writer is idle and nothing is
    /// queued (the callback then runs before this returns), else queued for the writer thread.
    /// </summary>
    public void Submit(WriteCommand command)
    {
        lock (_queueGate)
        {
            if (_stopping || _writing || _queue.Count > 0 || _writer is null)
            {
                EnqueueLocked(command);
                return;
            }
            _writing = true;
        }
        WriteInline(command);
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

    /// <summary>Each segment with the bytes of it known to be on disk and its records' length (for tests of what a crash keeps).</summary>
    internal List<(string Path, long SyncedLength, long Length)> SyncedLengths()
    {
        lock (_queueGate)
            return [.. _segments.Select(s => (s.Path, s.SyncedLength, s.Length))];
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
    public void Replay(string persistenceId, long fromSequenceNr, long toSequenceNr, long max, WalRecordVisitor visitor) =>
        ReplayRecords(persistenceId, fromSequenceNr, toSequenceNr, max, (_, view) =>
        {
            visitor(view);
            return true;
        });

    /// <summary>As <see cref="Replay"/>, with each record's body as stored.</summary>
    internal void ReplayRecords(string persistenceId, long fromSequenceNr, long toSequenceNr, long max, WalRawRecordVisitor visitor)
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
            state.Entries.CopyTo(fromSequenceNr, toSequenceNr, max, entries);
            foreach (var entry in entries)
            {
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
                    var read = FileSystem.ReadFully(pinned[pin].Handle, buffer.AsSpan(0, entry.Length), entry.Offset);
                    record = buffer.AsSpan(0, read);
                }
                var check = WalRecordCodec.Check(record, 0, out var length);
                var body = check == RecordCheck.Valid ? WalRecordCodec.Body(record[..length]) : default;
                if (check != RecordCheck.Valid || length != entry.Length
                    || !WalRecordCodec.TryParseBody(body, out var view)
                    || view.SequenceNr != entry.SequenceNr)
                {
                    _metrics?.CorruptRecords.Add(1);
                    throw new WalCorruptionException(
                        $"WAL record of '{persistenceId}' sequence number {entry.SequenceNr} in {file} at offset {entry.Offset} no longer verifies: {check.Describe()}.",
                        file, entry.Offset, persistenceId);
                }
                if (!visitor(body, view))
                    break;
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
        else
            SaveFinalCheckpoint();
        CloseSegments();
    }

    private void CloseSegments()
    {
        lock (_queueGate)
        {
            foreach (var segment in _segments)
                segment.Retire(deleteFile: false);
            _metrics?.AddSegments(-_segments.Count);
            _segments.Clear();
        }
    }

    private void Enqueue(WalCommand command)
    {
        lock (_queueGate)
            EnqueueLocked(command);
    }

    private void EnqueueLocked(WalCommand command)
    {
        if (_stopping)
        {
            command.Fail(new ObjectDisposedException(nameof(WalLog), "The WAL is closed."));
            return;
        }
        _queue.Add(command);
        if (_queue.Count == 1)
            Monitor.PulseAll(_queueGate);
    }
}
