namespace AegisKV.Storage;

/// <summary>
/// Where one event record lives: a range of a segment file, or (mode off) the framed record itself.
/// </summary>
internal readonly record struct WalEntry(long SequenceNr, Segment? Segment, long Offset, int Length, byte[]? Record);
