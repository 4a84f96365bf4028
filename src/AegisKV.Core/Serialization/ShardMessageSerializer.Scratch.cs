using AegisKV.Core.State;

namespace AegisKV.Core.Serialization;

// The WAL's path for events: serialized into a buffer of the calling thread and copied from there into the record,
// so an event costs no array of its own.
public sealed partial class ShardMessageSerializer
{
    private const int ScratchSize = 1024;

    [ThreadStatic] private static WireWriter? t_scratch;

    /// <inheritdoc />
    public ReadOnlySpan<byte> SerializeToScratch(object obj)
    {
        if (obj is ShardSnapshot)
            return ToBinary(obj);
        var w = t_scratch ??= new WireWriter(ScratchSize);
        w.Reset();
        Write(w, obj);
        // A large value grew it: the span still holds the array, the thread does not.
        if (w.Capacity > ScratchSize * 64)
            t_scratch = null;
        return w.Written;
    }
}
