namespace AegisKV.Storage;

/// <summary>What the index knows about one persistence id.</summary>
internal sealed class PidState
{
    /// <summary>Replayable records, ascending by sequence number.</summary>
    public WalEntryList Entries { get; } = new();

    /// <summary>Never lowered by deletion or compaction; only a truncation lowers it.</summary>
    public long HighestSequenceNr { get; set; }

    public long DeletedTo { get; set; }

    /// <summary>Segment of the newest record of any type; compaction re-writes the state if it would lose it.</summary>
    public Segment? LastRecordSegment { get; set; }

    /// <summary>Segment of the newest deletion marker; compaction carries the deleted-to mark forward.</summary>
    public Segment? LastDeletionSegment { get; set; }

    /// <summary>Start-up scan only: first event seen for an id not seen before, after corrupt data.</summary>
    public long SuspectFirstSequenceNr { get; set; }

    /// <summary>Start-up scan only: the corruption that <see cref="SuspectFirstSequenceNr"/> followed.</summary>
    public (string File, long Offset) SuspectCorruption { get; set; }

    /// <summary>Set when recovery found a gap after corrupt data; replays fail with it.</summary>
    public WalCorruptionException? Corruption { get; set; }

    /// <summary>Highest sequence number before the gap: a truncation at or below the next one repairs the id.</summary>
    public long CorruptAfter { get; set; }

    /// <summary>Writes of this id up to this sequence number are refused: set after one of them failed, until its writer releases it.</summary>
    public long RejectThrough { get; set; }

    /// <summary>
    /// Start-up scan only: corrupt regions already seen when the id's log was last reset. Damage found before that
    /// reset is damage to records the reset dropped.
    /// </summary>
    public int ResetAtRegion { get; set; }

    /// <summary>Start-up scan only: corrupt regions already seen when this id's last record was applied.</summary>
    public int SeenCorruptRegions { get; set; }

    /// <summary>
    /// Where each epoch of the id's records begins, ascending (as Kafka's leader-epoch cache): the epoch of any
    /// record still indexed is found without reading it. A few entries per id, one per primary incarnation.
    /// </summary>
    public List<(long FirstSequenceNr, long Epoch)> EpochStarts { get; } = [];

    /// <summary>The epoch of the record at <paramref name="sequenceNr"/>: 0 for 0, null when it is not (or no longer) known.</summary>
    public long? EpochAt(long sequenceNr)
    {
        if (sequenceNr == 0) return 0;
        if (sequenceNr > HighestSequenceNr || EpochStarts.Count == 0 || sequenceNr < EpochStarts[0].FirstSequenceNr) return null;
        for (var i = EpochStarts.Count - 1; i >= 0; i--)
            if (EpochStarts[i].FirstSequenceNr <= sequenceNr) return EpochStarts[i].Epoch;
        return null;
    }

    /// <summary>Forgets where epochs began at or after <paramref name="sequenceNr"/> (those records are gone).</summary>
    public void ForgetEpochsFrom(long sequenceNr)
    {
        var keep = EpochStarts.Count;
        while (keep > 0 && EpochStarts[keep - 1].FirstSequenceNr >= sequenceNr) keep--;
        if (keep < EpochStarts.Count) EpochStarts.RemoveRange(keep, EpochStarts.Count - keep);
    }
}
