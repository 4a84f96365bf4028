using System.Diagnostics;
using Akka.Event;

namespace AegisKV.Storage;

// When the disk is full or failing: a failed batch is taken back off the files, writes are refused at
// once while retries back off, and writes resume by themselves once a retry succeeds. Writers whose
// write failed are fenced until they say they have taken it back (see ReleaseWriteFence).
internal sealed partial class WalLog
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(5);
    // A probe must need as much room as the write that failed, or writes would flap between refused and failing.
    private const int SmallestProbe = 1 << 20;

    private volatile WalWriteException? _unwritable;
    private long _unwritableSince;
    private long _retryAt;
    private TimeSpan _retryDelay;
    private int _fencedIds; // writer thread only
    private long _failedBytes;

    /// <summary>Why writes are refused now, or null while the WAL is writable.</summary>
    public WalWriteException? WriteFailure => _unwritable;

    /// <summary>
    /// Accepts the id's writes again after a failed one, refusing its sequence numbers up to
    /// <paramref name="throughSequenceNr"/> (0: none, for a writer that starts afresh from the log); see <see cref="ReleaseWriteFence"/>.
    /// </summary>
    public Task Unfence(string persistenceId, long throughSequenceNr)
    {
        var command = new UnfenceCommand(persistenceId, throughSequenceNr);
        Enqueue(command);
        return command.Task;
    }

    private TimeSpan RetryDueIn() => Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), _retryAt);

    private BatchMark MarkBatchStart()
    {
        // Mode off has no files (and no active segment): there is nothing to go back to but the counters.
        lock (_queueGate)
            return new BatchMark(_active, _active?.Length ?? 0, _active?.RecordCount ?? 0, _segments.Count, _recordsWritten);
    }

    // Cuts the files back to where they were before the batch: segments it created go, the active one
    // is truncated and synced. If even that fails, the WAL cannot vouch for its files and stops.
    private void RollBack(BatchMark mark, IOException cause)
    {
        _failedBytes = _active == mark.Active ? _activeEnd - mark.Length : _activeEnd;
        _ops.Clear();
        _pending.Clear();
        _pendingBytes = 0;
        _recordsWritten = mark.RecordsWritten;
        List<Segment> created;
        lock (_queueGate)
        {
            created = _segments.GetRange(mark.Segments, _segments.Count - mark.Segments);
            _segments.RemoveRange(mark.Segments, created.Count);
        }

        foreach (var segment in created)
            segment.Retire(deleteFile: true);
        _metrics?.AddSegments(-created.Count);
        if (mark.Active is null)
            return;

        _active = mark.Active;
        _active.RecordCount = mark.RecordCount;
        _active.Length = mark.Length;
        _activeEnd = mark.Length;
        try
        {
            var handle = _active.WriteHandle();
            RandomAccess.SetLength(handle, mark.Length);
            _active.AllocatedLength = mark.Length;
            RandomAccess.FlushToDisk(handle);
            FileSystem.SyncDirectory(_directory);
            _active.SyncedLength = mark.Length;
            _unsynced = false;
        }
        catch (Exception e)
        {
            EnterFailure(new IOException($"Could not take a failed write back off {_active.Path}: {e.Message}", cause));
        }
    }

    private void FenceWriters(List<WalCommand> batch)
    {
        lock (_index.Gate)
        {
            foreach (var command in batch)
            {
                if (command is not WriteCommand write)
                    continue;
                for (var i = 0; i < write.RecordCount; i++)
                {
                    var state = _index.GetOrAdd(write.Record(i).PersistenceId);
                    if (state.RejectThrough == 0)
                        _fencedIds++;
                    state.RejectThrough = long.MaxValue;
                }
            }
        }
    }

    // Writer thread. _fencedIds counts ids with any fence (RejectThrough > 0), released or not: a released
    // fence still refuses the sequence numbers it names, until the id writes past them.
    private bool IsFenced(WriteCommand write)
    {
        if (_fencedIds == 0)
            return false;
        lock (_index.Gate)
        {
            for (var i = 0; i < write.RecordCount; i++)
            {
                ref readonly var record = ref write.Record(i);
                if (_index.Find(record.PersistenceId) is not { RejectThrough: > 0 } state)
                    continue;
                if (record.SequenceNr <= state.RejectThrough)
                    return true;
                if (state.RejectThrough != long.MaxValue)
                {
                    // Past a released fence: sequence numbers only grow from here.
                    state.RejectThrough = 0;
                    _fencedIds--;
                }
            }
        }
        return false;
    }

    // Sets an id's fence: long.MaxValue refuses everything, n refuses sequence numbers up to n, 0 none.
    private void Unfence(UnfenceCommand command)
    {
        lock (_index.Gate)
        {
            var state = command.ThroughSequenceNr == long.MaxValue ? _index.GetOrAdd(command.PersistenceId) : _index.Find(command.PersistenceId);
            if (state is null || (state.RejectThrough == 0 && command.ThroughSequenceNr != long.MaxValue))
                return;
            if (state.RejectThrough == 0)
                _fencedIds++;
            state.RejectThrough = command.ThroughSequenceNr;
            if (state.RejectThrough == 0)
                _fencedIds--;
        }
    }

    private static bool IsOutOfSpace(IOException e) => (e.HResult & 0xFFFF) is 28 or 122;

    private void EnterUnwritable(IOException cause)
    {
        _metrics?.WriteErrors.Add(1);
        var now = Stopwatch.GetTimestamp();
        if (_unwritable is null)
        {
            _unwritableSince = now;
            _retryDelay = FirstRetry;
            _log.Error("WAL: cannot write to {0} ({1}); writes are refused and retried until it can", _directory, cause.Message);
        }
        else
        {
            _retryDelay = TimeSpan.FromTicks(Math.Min(_retryDelay.Ticks * 2, LongestRetry.Ticks));
        }

        _unwritable = new WalWriteException($"WAL not writable ({Describe(cause)})", cause);
        _retryAt = now + (long)(_retryDelay.TotalSeconds * Stopwatch.Frequency);
    }

    private void LeaveUnwritable()
    {
        _log.Info("WAL: writable again after {0:F1} s", Stopwatch.GetElapsedTime(_unwritableSince).TotalSeconds);
        _unwritable = null;
    }

    // Nothing queued to try with: write, sync and remove a small file to learn whether there is room again.
    private void Probe()
    {
        var path = Path.Combine(_directory, ".write-probe");
        try
        {
            using (var probe = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1))
            {
                var chunk = new byte[64 * 1024];
                for (long written = 0; written < Math.Max(SmallestProbe, _failedBytes); written += chunk.Length)
                    probe.Write(chunk);
                probe.Flush(flushToDisk: true);
            }
            File.Delete(path);
            LeaveUnwritable();
        }
        catch (IOException e)
        {
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
                // Removed on the next probe.
            }
            EnterUnwritable(e);
        }
    }

    private static void RejectAll(List<WalCommand> batch, WalWriteException cause)
    {
        foreach (var command in batch)
            command.Reject(cause);
    }

    // The cause in a few words, without file paths: it goes to clients.
    private static string Describe(IOException e) => (e.HResult & 0xFFFF) switch
    {
        28 => "no space left on device",
        122 => "disk quota exceeded",
        5 => "I/O error",
        30 => "read-only file system",
        _ => e.GetType() == typeof(IOException) ? "I/O error" : e.GetType().Name,
    };

    /// <summary>Where the files stood before a batch, to go back to if it fails.</summary>
    private readonly record struct BatchMark(Segment? Active, long Length, int RecordCount, int Segments, long RecordsWritten);
}
