namespace AegisKV.Server.Network;

/// <summary>
/// Bytes of client requests the node holds in read buffers before they are complete, shared by
/// every connection, so many slow or hostile senders together cannot exhaust memory.
/// </summary>
public sealed class RequestBudget(long capacity)
{
    private long _used;

    /// <summary>Bytes held now.</summary>
    public long Used => Volatile.Read(ref _used);

    /// <summary>The cap.</summary>
    public long Capacity { get; } = capacity;

    /// <summary>Takes <paramref name="bytes"/> more; false, taking nothing, when that would pass the cap.</summary>
    public bool TryTake(long bytes)
    {
        if (Interlocked.Add(ref _used, bytes) <= Capacity) return true;
        Interlocked.Add(ref _used, -bytes);
        return false;
    }

    /// <summary>Gives back bytes taken before.</summary>
    public void Release(long bytes) => Interlocked.Add(ref _used, -bytes);
}
