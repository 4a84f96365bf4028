using System.Diagnostics;
using Akka.Event;

namespace AegisKV.Storage;

// Saving the checkpoint (see WalCheckpoint): the marks are taken on the writer thread right after a
// sync, when everything the index holds is durable, and written to disk off that thread.
internal sealed partial class WalLog
{
    private static readonly TimeSpan CheckpointEvery = TimeSpan.FromSeconds(1);

    private readonly object _checkpointGate = new();
    private long _checkpointTakenAt;
    private long _checkpointRecords = -1;
    private long _checkpointVersion;
    private long _checkpointSavedVersion;
    private int _checkpointSaving;

    // When the checkpoint should be saved next: null when it holds everything synced, or while a save runs.
    private TimeSpan? CheckpointDueIn()
    {
        if (_settings.Mode == WalMode.Off || _readOnly || _recordsWritten == _checkpointRecords || Volatile.Read(ref _checkpointSaving) != 0)
            return null;
        return CheckpointEvery - Stopwatch.GetElapsedTime(_checkpointTakenAt);
    }

    // Writer thread only, with nothing unsynced.
    private void MaybeSaveCheckpoint()
    {
        if (_settings.Mode == WalMode.Off || _readOnly || _unsynced || _recordsWritten == _checkpointRecords
            || Stopwatch.GetElapsedTime(_checkpointTakenAt) < CheckpointEvery
            || Interlocked.CompareExchange(ref _checkpointSaving, 1, 0) != 0)
            return;
        var marks = TakeMarks();
        var version = ++_checkpointVersion;
        Task.Run(() =>
        {
            try
            {
                SaveCheckpoint(marks, version);
            }
            finally
            {
                Volatile.Write(ref _checkpointSaving, 0);
                // The writer may be waiting with no timeout while this ran: let it look again.
                lock (_queueGate)
                    Monitor.Pulse(_queueGate);
            }
        });
    }

    // Writer thread, right after a batch with a truncation became durable: saved before anything else is written.
    private void SaveCheckpointNow()
    {
        if (_settings.Mode == WalMode.Off || _readOnly || _unsynced)
            return;
        SaveCheckpoint(TakeMarks(), ++_checkpointVersion);
    }

    // On a clean stop, after the writer thread has synced everything and ended.
    private void SaveFinalCheckpoint()
    {
        if (_settings.Mode == WalMode.Off || _readOnly || Failure is not null || _active is null)
            return;
        SaveCheckpoint(TakeMarks(), ++_checkpointVersion);
    }

    private List<KeyValuePair<string, long>> TakeMarks()
    {
        _checkpointTakenAt = Stopwatch.GetTimestamp();
        _checkpointRecords = _recordsWritten;
        var marks = new List<KeyValuePair<string, long>>();
        lock (_index.Gate)
        {
            foreach (var (persistenceId, state) in _index.States)
            {
                var mark = state.HighestSequenceNr;
                // A corrupt id keeps the mark it had: what it lost must stay detectable until it is repaired.
                if (state.Corruption is not null && _checkpointFloor.TryGetValue(persistenceId, out var floor))
                    mark = Math.Max(mark, floor);
                if (mark > 0)
                    marks.Add(new KeyValuePair<string, long>(persistenceId, mark));
            }
        }
        return marks;
    }

    private void SaveCheckpoint(List<KeyValuePair<string, long>> marks, long version)
    {
        lock (_checkpointGate)
        {
            if (version <= _checkpointSavedVersion)
                return;
            try
            {
                WalCheckpoint.Save(_directory, marks);
                _checkpointSavedVersion = version;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The previous checkpoint stays: it only holds marks that are still true.
                _log.Warning("WAL: could not save the checkpoint: {0}", e.Message);
            }
        }
    }
}
