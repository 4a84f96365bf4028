using System.Diagnostics;
using System.Runtime.InteropServices;
using Akka.Event;

namespace AegisKV.Storage;

// The writer loop: group commit of everything queued, segment rolling, and the index updates that follow a durable write.
internal sealed partial class WalLog
{
    private void Run()
    {
        var batch = new List<WalCommand>();
        while (true)
        {
            bool stopping;
            lock (_queueGate)
            {
                while (_writing || (_queue.Count == 0 && !_stopping))
                {
                    if (_writing)
                    {
                        // A submitter writes its own batch (Submit, WriteInline): wait until it is done.
                        Monitor.Wait(_queueGate);
                        continue;
                    }
                    if (_unwritable is not null)
                    {
                        // Unwritable: wake at the next retry to find out whether space came back.
                        var retry = RetryDueIn();
                        if (retry <= TimeSpan.Zero)
                            break;
                        Monitor.Wait(_queueGate, retry);
                        continue;
                    }
                    if (!_unsynced && CheckpointDueIn() is { } checkpoint)
                    {
                        // Synced records the checkpoint does not hold yet: save it once it is due, even if idle.
                        if (checkpoint <= TimeSpan.Zero)
                            break;
                        Monitor.Wait(_queueGate, checkpoint);
                        continue;
                    }
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
                _writing = true;
            }

            try
            {
                if (batch.Count > 0)
                    ProcessBatch(batch);
                else if (_unwritable is not null && RetryDueIn() <= TimeSpan.Zero)
                    Probe();
                else
                    MaybeSaveCheckpoint();
                // Mode write: the background fsync; any mode: nothing stays unsynced after a clean stop.
                var due = stopping || (_settings.Mode == WalMode.Write && SyncDueIn() <= TimeSpan.Zero);
                if (_unsynced && due && _settings.Mode != WalMode.Off && Failure is null)
                {
                    SyncActive();
                    MaybeSaveCheckpoint();
                }
            }
            catch (Exception e)
            {
                // Never let the writer thread die (that would hang every waiting writer): fail instead.
                EnterFailure(e);
                FailAll(batch, e);
            }
            ReleaseAll(batch);
            lock (_queueGate)
            {
                _writing = false;
                if (stopping && _queue.Count == 0)
                    return;
            }
        }
    }

    // The write of a submitter that found the writer idle and nothing queued, made on the submitter's own thread:
    // two thread hand-offs fewer, which is most of a lone client's round trip. Whatever is submitted meanwhile
    // queues, and the writer thread takes it as one batch once this is done.
    private void WriteInline(WriteCommand command)
    {
        var batch = _inline;
        batch.Add(command);
        try
        {
            ProcessBatch(batch);
        }
        catch (Exception e)
        {
            EnterFailure(e);
            FailAll(batch, e);
        }
        finally
        {
            ReleaseAll(batch);
            lock (_queueGate)
            {
                _writing = false;
                Monitor.PulseAll(_queueGate);
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

        if (_unwritable is { } unwritable && RetryDueIn() > TimeSpan.Zero)
        {
            // Writes fail at once while the disk is full or failing; the retry decides when to try again.
            // Their writers are fenced as after any failed write; releases of fences only change memory.
            FenceWriters(batch);
            foreach (var command in batch)
            {
                if (command is UnfenceCommand unfence)
                {
                    Unfence(unfence);
                    unfence.Complete();
                }
                else
                {
                    command.Reject(unwritable);
                }
            }
            return;
        }

        var mark = MarkBatchStart();
        var compact = false;
        var truncated = false;
        try
        {
            foreach (var command in batch)
            {
                switch (command)
                {
                    case WriteCommand write when IsFenced(write):
                        write.Reject(new WalWriteException(
                            $"WAL write refused: an earlier write of '{write.Record(0).PersistenceId}' failed and its writer has not yet taken that back.", null));
                        break;
                    case WriteCommand { Precondition: { } condition } write when MismatchOf(condition) is { } mismatch:
                        write.Reject(new WalWriteException(mismatch.Message, mismatch));
                        break;
                    case WriteCommand write:
                        PlanWrite(write);
                        break;
                    case UnfenceCommand unfence:
                        Unfence(unfence);
                        break;
                    case MarkerCommand marker:
                        compact |= PlanMarker(marker);
                        truncated |= marker.Kind is WalRecordType.Truncation or WalRecordType.Reset;
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
        catch (IOException e)
        {
            // A full disk or an I/O error: take the batch back off the files, so that nothing refused
            // to a client can come back after a restart, and refuse writes until a retry succeeds.
            RollBack(mark, e);
            FenceWriters(batch);
            EnterUnwritable(e);
            RejectAll(batch, _unwritable!);
            return;
        }
        catch (Exception e)
        {
            EnterFailure(e);
            FailAll(batch, e);
            return;
        }

        // Only a batch that wrote proves the disk takes writes again; the probe decides otherwise.
        if (_unwritable is not null && _recordsWritten > mark.RecordsWritten)
            LeaveUnwritable();
        else if (_unwritable is not null)
            Probe();
        _metrics?.RecordsWritten.Add(_recordsWritten - mark.RecordsWritten);
        foreach (var command in batch)
            command.Complete();
        if (truncated && _unwritable is null)
            SaveCheckpointNow(); // a truncation lowers a mark: the checkpoint must not claim more than is there
        else
            MaybeSaveCheckpoint();

        if (compact && _settings.Mode != WalMode.Off)
        {
            var compactMark = MarkBatchStart();
            try
            {
                Compact();
            }
            catch (IOException e)
            {
                // Compaction only tidies up: without room for its checkpoints it waits for the next chance.
                RollBack(compactMark, e);
                EnterUnwritable(e);
            }
            catch (Exception e)
            {
                EnterFailure(e);
            }
        }
    }

    private static void ReleaseAll(List<WalCommand> batch)
    {
        foreach (var command in batch)
            command.Release();
        batch.Clear();
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
                        new WalEntry(record.SequenceNr, null, 0, record.Length, bytes), null, record.Epoch));
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
                        new WalEntry(record.SequenceNr, segment, baseOffset + record.Offset, record.Length, null), segment, record.Epoch));
                }
                AddPending(new ReadOnlyMemory<byte>(buffer, groupStart, groupLength));
                segment.RecordCount += last - first + 1;
            }
            _recordsWritten += last - first + 1;
            first = last + 1;
        }
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

    private void FlushPending()
    {
        if (_pending.Count == 0)
            return;
        var segment = _active!;
        var handle = segment.WriteHandle();
        if (_activeEnd > segment.AllocatedLength)
            Preallocate(segment, handle);
        if (_pending.Count == 1)
            RandomAccess.Write(handle, _pending[0].Span, segment.Length);
        else
            RandomAccess.Write(handle, _pending, segment.Length);
        segment.Length = _activeEnd;
        Interlocked.Add(ref _bytesWritten, _pendingBytes);
        _metrics?.WrittenBytes.Add(_pendingBytes);
        _pending.Clear();
        _pendingBytes = 0;
        _unsynced = true;
    }

    private void SyncActive()
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            RandomAccess.FlushToDisk(_active!.WriteHandle());
        }
        catch (IOException e) when (!IsOutOfSpace(e))
        {
            // After a failed fsync the kernel may have dropped dirty pages, acknowledged ones included:
            // nothing can be taken back with confidence, so the WAL stops (see EnterFailure).
            throw new InvalidOperationException($"fsync of {_active!.Path} failed: {e.Message}", e);
        }
        _active.SyncedLength = _active.Length;
        _metrics?.FsyncSeconds.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        _metrics?.Fsyncs.Add(1);
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
}
