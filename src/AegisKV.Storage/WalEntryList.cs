namespace AegisKV.Storage;

/// <summary>
/// The index entries of one persistence id, ascending by sequence number. The index holds one entry per record
/// not yet behind a shard's older snapshot — every record of a busy node — so entries are kept in runs:
/// consecutive sequence numbers in one segment share a run, which holds each record's offset and length in
/// 8 bytes (in mode off, the record itself). Runs are at most <see cref="RunCapacity"/> entries, so removing
/// a prefix frees whole runs and no array grows onto the large object heap.
/// </summary>
internal sealed class WalEntryList
{
    internal const int RunCapacity = 4096;

    private readonly List<Run> _runs = [];
    private int _count;

    public int Count => _count;

    /// <summary>Sequence number of the newest entry; only when <see cref="Count"/> is not 0.</summary>
    public long LastSequenceNr => _runs[^1].LastSequenceNr;

    /// <summary>Appends an entry whose sequence number is above every entry's; its segment counts it as live.</summary>
    public void Add(in WalEntry entry)
    {
        if (_count > 0 && entry.SequenceNr <= LastSequenceNr)
            throw new ArgumentException($"Entry {entry.SequenceNr} does not follow {LastSequenceNr}.", nameof(entry));
        var run = _runs.Count > 0 ? _runs[^1] : null;
        if (run is null || !run.Continues(entry))
        {
            run = new Run(entry.SequenceNr, entry.Segment, entry.Record is not null);
            _runs.Add(run);
        }
        run.Add(entry);
        _count++;
        if (entry.Segment is { } segment)
            segment.LiveRecords++;
    }

    /// <summary>Removes the entries at or below <paramref name="sequenceNr"/>; their segments count them as gone.</summary>
    public void RemoveUpTo(long sequenceNr)
    {
        var drop = 0;
        while (drop < _runs.Count)
        {
            var run = _runs[drop];
            if (run.LastSequenceNr <= sequenceNr)
            {
                Forget(run, run.Count);
                drop++;
                continue;
            }
            if (run.FirstSequenceNr <= sequenceNr)
            {
                var removed = (int)(sequenceNr - run.FirstSequenceNr + 1);
                Forget(run, removed);
                run.RemoveFirst(removed);
            }
            break;
        }
        if (drop > 0)
            _runs.RemoveRange(0, drop);
    }

    /// <summary>Removes the entries at or above <paramref name="sequenceNr"/>; their segments count them as gone.</summary>
    public void RemoveFrom(long sequenceNr)
    {
        var keep = _runs.Count;
        while (keep > 0)
        {
            var run = _runs[keep - 1];
            if (run.FirstSequenceNr >= sequenceNr)
            {
                Forget(run, run.Count);
                keep--;
                continue;
            }
            if (run.LastSequenceNr >= sequenceNr)
            {
                var removed = (int)(run.LastSequenceNr - sequenceNr + 1);
                Forget(run, removed);
                run.RemoveLast(removed);
            }
            break;
        }
        if (keep < _runs.Count)
            _runs.RemoveRange(keep, _runs.Count - keep);
    }

    /// <summary>Entries above <paramref name="sequenceNr"/>.</summary>
    public int CountAbove(long sequenceNr)
    {
        var count = 0;
        for (var i = _runs.Count - 1; i >= 0 && _runs[i].LastSequenceNr > sequenceNr; i--)
            count += _runs[i].FirstSequenceNr > sequenceNr ? _runs[i].Count : (int)(_runs[i].LastSequenceNr - sequenceNr);
        return count;
    }

    /// <summary>Adds to <paramref name="into"/> the entries from <paramref name="fromSequenceNr"/> to <paramref name="toSequenceNr"/>, until it holds <paramref name="max"/>.</summary>
    public void CopyTo(long fromSequenceNr, long toSequenceNr, long max, List<WalEntry> into)
    {
        for (var i = FirstRunReaching(fromSequenceNr); i < _runs.Count; i++)
        {
            var run = _runs[i];
            for (var sequenceNr = Math.Max(fromSequenceNr, run.FirstSequenceNr); sequenceNr <= run.LastSequenceNr; sequenceNr++)
            {
                if (sequenceNr > toSequenceNr || into.Count >= max)
                    return;
                into.Add(run.At(sequenceNr));
            }
        }
    }

    /// <summary>Gives back the unused room of the newest run (after the start-up scan).</summary>
    public void TrimExcess()
    {
        if (_runs.Count > 0)
            _runs[^1].TrimExcess();
        _runs.TrimExcess();
    }

    private void Forget(Run run, int removed)
    {
        _count -= removed;
        if (run.Segment is { } segment)
            segment.LiveRecords -= removed;
    }

    // The first run whose newest entry is at or above sequenceNr (Count of runs when none is).
    private int FirstRunReaching(long sequenceNr)
    {
        int low = 0, high = _runs.Count;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (_runs[middle].LastSequenceNr < sequenceNr)
                low = middle + 1;
            else
                high = middle;
        }
        return low;
    }

    /// <summary>Consecutive entries in one place; live entries are the slots from <c>_start</c> to <c>_end</c>.</summary>
    private sealed class Run
    {
        private long[]? _places; // offset << 32 | length, for entries in a segment
        private byte[]?[]? _records; // mode off: the records themselves
        private int _start;
        private int _end;

        public Run(long firstSequenceNr, Segment? segment, bool inMemory)
        {
            FirstSequenceNr = firstSequenceNr;
            Segment = segment;
            if (inMemory)
                _records = new byte[]?[4];
            else
                _places = new long[16];
        }

        public long FirstSequenceNr { get; private set; }

        public Segment? Segment { get; }

        public int Count => _end - _start;

        public long LastSequenceNr => FirstSequenceNr + Count - 1;

        public bool Continues(in WalEntry entry) =>
            _end < RunCapacity && entry.SequenceNr == LastSequenceNr + 1 && entry.Segment == Segment && (entry.Record is not null) == (_records is not null);

        public void Add(in WalEntry entry)
        {
            if (_records is not null)
            {
                if (_end == _records.Length)
                    Array.Resize(ref _records, Math.Min(_records.Length * 2, RunCapacity));
                _records[_end++] = entry.Record;
                return;
            }
            if (_end == _places!.Length)
                Array.Resize(ref _places, Math.Min(_places.Length * 2, RunCapacity));
            _places[_end++] = entry.Offset << 32 | (uint)entry.Length;
        }

        public WalEntry At(long sequenceNr)
        {
            var slot = _start + (int)(sequenceNr - FirstSequenceNr);
            if (_records is not null)
            {
                var record = _records[slot]!;
                return new WalEntry(sequenceNr, null, 0, record.Length, record);
            }
            var place = _places![slot];
            return new WalEntry(sequenceNr, Segment, place >> 32, (int)(uint)place, null);
        }

        public void RemoveFirst(int count)
        {
            if (_records is not null)
                Array.Clear(_records, _start, count);
            _start += count;
            FirstSequenceNr += count;
        }

        public void RemoveLast(int count)
        {
            _end -= count;
            if (_records is not null)
                Array.Clear(_records, _end, count);
        }

        public void TrimExcess()
        {
            if (_records is not null)
                _records = _records[.._end];
            else
                _places = _places![.._end];
        }
    }
}
