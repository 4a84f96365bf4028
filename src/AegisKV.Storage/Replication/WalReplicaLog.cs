namespace AegisKV.Storage.Replication;

/// <summary>
/// What replication does with the WAL besides the journal protocol, usable from any thread: read records for
/// shipping, append records shipped from the primary where they follow on, cut a divergent suffix where the
/// record before the cut is the one expected, and ask a record's epoch. Ask the journal for it with
/// <see cref="GetReplicaLog"/>; after the journal restarts (an I/O failure), ask again.
/// </summary>
public sealed class WalReplicaLog
{
    private readonly WalLog _wal;

    internal WalReplicaLog(WalLog wal) => _wal = wal;

    /// <summary>
    /// The body of an event record as the journal writes it (one whole atomic write), for a replica that writes its
    /// log with <see cref="Append"/>: the journal replays it as it replays its own.
    /// </summary>
    public static byte[] EncodeEvent(string persistenceId, long sequenceNr, long epoch, int serializerId, string serializerManifest, ReadOnlySpan<byte> payload)
    {
        using var buffer = new PooledBuffer(payload.Length + 64);
        var length = WalRecordCodec.WriteEvent(buffer, persistenceId, sequenceNr, epoch, false, string.Empty, serializerId, serializerManifest, payload);
        // Framed as length | CRC | body | length.
        return buffer.Array.AsSpan(8, length - WalFormat.RecordOverhead).ToArray();
    }

    /// <summary>The event in a record body (from <see cref="Read"/> or <see cref="EncodeEvent"/>); false when it is not one.</summary>
    public static bool TryDecodeEvent(ReadOnlySpan<byte> body, out ReplicatedEvent decoded)
    {
        decoded = default;
        if (!WalRecordCodec.TryParseBody(body, out var view) || view.Type != WalRecordType.Event) return false;
        decoded = new ReplicatedEvent(view.SequenceNr, view.Epoch, view.SerializerId, System.Text.Encoding.UTF8.GetString(view.SerializerManifestUtf8),
            view.Payload.ToArray());
        return true;
    }

    /// <summary>Completes once everything queued to the WAL before it is written (and readable).</summary>
    public Task Flushed() => _wal.Barrier();

    /// <summary>The highest sequence number written for <paramref name="persistenceId"/>.</summary>
    public long HighestSequenceNr(string persistenceId) => _wal.HighestSequenceNr(persistenceId);

    /// <summary>The epoch of a record: 0 for sequence number 0, null when it is not (or no longer) there.</summary>
    public long? EpochAt(string persistenceId, long sequenceNr) => _wal.EpochAt(persistenceId, sequenceNr);

    /// <summary>
    /// Records from <paramref name="fromSequenceNr"/> on, whole atomic writes only, at most
    /// <paramref name="maxRecords"/> and stopping past <paramref name="maxBytes"/>.
    /// </summary>
    public IReadOnlyList<ReplicatedRecord> Read(string persistenceId, long fromSequenceNr, int maxRecords = 256, long maxBytes = 1 << 20) =>
        _wal.ReadReplicated(persistenceId, fromSequenceNr, maxRecords, maxBytes);

    /// <summary>
    /// Appends records read from another replica's log if this log of <paramref name="persistenceId"/> then ends at
    /// (<paramref name="previousSequenceNr"/>, <paramref name="previousEpoch"/>); completes once durable (per mode).
    /// </summary>
    /// <exception cref="ReplicaLogMismatchException">The log ends elsewhere.</exception>
    public Task Append(string persistenceId, long previousSequenceNr, long previousEpoch, IReadOnlyList<ReplicatedRecord> records) =>
        _wal.AppendReplicated(persistenceId, previousSequenceNr, previousEpoch, records);

    /// <summary>
    /// Makes the log of <paramref name="persistenceId"/> end at (<paramref name="sequenceNr"/>, <paramref name="epoch"/>)
    /// with no record, atomically: every earlier record is deleted and every later one cut. A follower writes it once
    /// the snapshot through that entry it received is durable; appends then follow on from there.
    /// </summary>
    public Task Reset(string persistenceId, long sequenceNr, long epoch) => _wal.Reset(persistenceId, sequenceNr, epoch);

    /// <summary>
    /// Why the records of <paramref name="persistenceId"/> cannot be trusted: lost to corruption, with the file and
    /// offset; null when they can. A reset (<see cref="Reset"/>) clears it.
    /// </summary>
    public WalCorruptionException? CorruptionOf(string persistenceId) => _wal.CorruptionOf(persistenceId);

    /// <summary>The sequence number the id's records are deleted through (compacted behind a snapshot); 0 when none are.</summary>
    public long DeletedTo(string persistenceId) => _wal.DeletedTo(persistenceId);

    /// <summary>Removes the records from <paramref name="fromSequenceNr"/> on if the one before has <paramref name="expectedEpochBefore"/>.</summary>
    /// <exception cref="ReplicaLogMismatchException">It has another epoch, or is not there.</exception>
    public Task Truncate(string persistenceId, long fromSequenceNr, long expectedEpochBefore) =>
        _wal.TruncateChecked(persistenceId, fromSequenceNr, expectedEpochBefore);
}

/// <summary>Asks the WAL journal for its <see cref="WalReplicaLog"/>.</summary>
public sealed record GetReplicaLog
{
    /// <summary>The single instance.</summary>
    public static readonly GetReplicaLog Instance = new();

    private GetReplicaLog()
    {
    }
}

/// <summary>An event record's contents, as <see cref="WalReplicaLog.TryDecodeEvent"/> reads them.</summary>
/// <param name="SequenceNr">Its sequence number.</param>
/// <param name="Epoch">The epoch in its header.</param>
/// <param name="SerializerId">The serializer of its payload.</param>
/// <param name="SerializerManifest">That serializer's manifest.</param>
/// <param name="Payload">The serialized event.</param>
public readonly record struct ReplicatedEvent(long SequenceNr, long Epoch, int SerializerId, string SerializerManifest, byte[] Payload);
