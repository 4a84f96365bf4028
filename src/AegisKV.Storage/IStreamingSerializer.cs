namespace AegisKV.Storage;

/// <summary>
/// An Akka serializer that can also write an object straight to a stream, so the snapshot store writes a
/// large snapshot to its file in pieces instead of holding it as one more array of its size, and read one from a span. Objects it
/// streams must be immutable: they are written after the snapshot request has returned to their owner.
/// </summary>
public interface IStreamingSerializer
{
    /// <summary>Bytes <see cref="WriteTo"/> writes for <paramref name="obj"/>, or -1 when it is not streamed.</summary>
    long StreamedSize(object obj);

    /// <summary>Writes exactly <see cref="StreamedSize"/> bytes of <paramref name="obj"/> to <paramref name="stream"/>.</summary>
    void WriteTo(object obj, Stream stream);

    /// <summary>
    /// Reads an object from <paramref name="bytes"/> as <c>FromBinary</c> does, without holding on to them: the snapshot
    /// store reads a file into a pooled buffer and gives it back once the object is read.
    /// </summary>
    object ReadFrom(ReadOnlySpan<byte> bytes, string manifest);
}
