namespace AegisKV.Storage;

/// <summary>Reply to <see cref="GetWalStats"/>: counters of one journal since it started.</summary>
/// <param name="Mode">Durability mode.</param>
/// <param name="RecordsWritten">Records appended (events and markers).</param>
/// <param name="BytesWritten">Bytes appended to segment files (0 in mode off).</param>
/// <param name="Fsyncs">Fsyncs issued.</param>
/// <param name="Segments">Segment files currently in use.</param>
/// <param name="CorruptRegions">Corrupt records or regions found at start-up.</param>
/// <param name="PersistenceIds">Persistence ids the index knows.</param>
public sealed record WalStats(WalMode Mode, long RecordsWritten, long BytesWritten, long Fsyncs, int Segments, int CorruptRegions, int PersistenceIds);

