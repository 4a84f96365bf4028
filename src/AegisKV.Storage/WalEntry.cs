namespace AegisKV.Storage;

/// <summary>
/// Where one event record lives: a range of a segment file, or (mode off) the framed record itself.
/// The index stores entries more compactly (<see cref="WalEntryList"/>); this is how one is handed around.
/// Offsets are 32-bit as segments are at most 1 GiB.
/// </summary>
internal readonly struct WalEntry
{
    private readonly object? _location;
    private readonly int _offset;

    public WalEntry(long sequenceNr, Segment? segment, long offset, int length, byte[]? record)
    {
        SequenceNr = sequenceNr;
        _location = (object?)segment ?? record;
        _offset = checked((int)offset);
        Length = length;
    }

    public long SequenceNr { get; }

    public int Length { get; }

    public Segment? Segment => _location as Segment;

    public long Offset => _offset;

    public byte[]? Record => _location as byte[];
}
