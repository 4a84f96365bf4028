using System.Buffers;

namespace AegisKV.Storage;

/// <summary>
/// The arrays a WAL write is built in. They are rented on the writer's thread and given back on the WAL's, with a
/// write per shard in flight during each fsync: more of one size than the shared pool keeps, which then allocates.
/// These pools keep up to <see cref="ArraysPerSize"/> of each size; larger arrays go to the shared pool.
/// </summary>
internal static class WalBuffers
{
    private const int ArraysPerSize = 256;
    private const int MaxPooledBytes = 64 * 1024;
    private const int MaxPooledRecords = 1024;

    private static readonly ArrayPool<byte> Bytes = ArrayPool<byte>.Create(MaxPooledBytes, ArraysPerSize);
    private static readonly ArrayPool<EncodedRecord> Records = ArrayPool<EncodedRecord>.Create(MaxPooledRecords, ArraysPerSize);

    public static byte[] RentBytes(int minimumLength) =>
        minimumLength <= MaxPooledBytes ? Bytes.Rent(minimumLength) : ArrayPool<byte>.Shared.Rent(minimumLength);

    public static void Return(byte[] array)
    {
        if (array.Length <= MaxPooledBytes)
            Bytes.Return(array);
        else
            ArrayPool<byte>.Shared.Return(array);
    }

    public static EncodedRecord[] RentRecords(int minimumLength) =>
        minimumLength <= MaxPooledRecords ? Records.Rent(minimumLength) : new EncodedRecord[minimumLength];

    /// <summary>Cleared first: a record holds its persistence id.</summary>
    public static void Return(EncodedRecord[] array)
    {
        if (array.Length is > 0 and <= MaxPooledRecords)
            Records.Return(array, clearArray: true);
    }
}
