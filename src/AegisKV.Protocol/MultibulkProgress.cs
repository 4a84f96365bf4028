using System.Buffers;

namespace AegisKV.Protocol;

/// <summary>
/// How far a RESP array request has been read: its claimed element count, the elements complete so
/// far with their bounds, and where the next one starts. Offsets are from the request's first byte.
/// </summary>
internal struct MultibulkProgress(int[] bounds)
{
    /// <summary>Claimed element count; 0 until the "*n" line has been read.</summary>
    public int Count;

    /// <summary>Elements read whole.</summary>
    public int Index;

    /// <summary>Where the next element starts.</summary>
    public int Position;

    /// <summary>(start, length) of each element read, pooled; grows with elements seen, never with the claim.</summary>
    public int[] Bounds = bounds;

    public void Add(int start, int length)
    {
        if (2 * Index + 1 >= Bounds.Length)
        {
            int[] larger = ArrayPool<int>.Shared.Rent(Bounds.Length * 2);
            Bounds.AsSpan(0, 2 * Index).CopyTo(larger);
            ArrayPool<int>.Shared.Return(Bounds);
            Bounds = larger;
        }

        Bounds[2 * Index] = start;
        Bounds[2 * Index + 1] = length;
        Index++;
    }

    /// <summary>Forgets the request; storage grown for a huge one goes back to the pool.</summary>
    public void Reset()
    {
        Count = Index = Position = 0;
        if (Bounds.Length > 4 * RespReader.InitialBoundsSlots)
        {
            ArrayPool<int>.Shared.Return(Bounds);
            Bounds = ArrayPool<int>.Shared.Rent(RespReader.InitialBoundsSlots);
        }
    }
}
