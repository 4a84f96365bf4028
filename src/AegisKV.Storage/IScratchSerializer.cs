namespace AegisKV.Storage;

/// <summary>
/// An Akka serializer that can serialize an event into a buffer of the calling thread, so a WAL record is encoded
/// without an array of its own per event. Only for payloads without actor references: no transport is set.
/// </summary>
public interface IScratchSerializer
{
    /// <summary>
    /// The bytes <c>ToBinary</c> would return for <paramref name="obj"/>, valid until the next call on this thread.
    /// </summary>
    ReadOnlySpan<byte> SerializeToScratch(object obj);
}
