using System.Buffers;

namespace AegisKV.Storage;

/// <summary>
/// The arrays a WAL write is built in. They are rented on the writer's thread and given back on the WAL's, with
/// hundreds of writes in flight during an fsync under load: more of one size than the shared pool keeps, which then
/// allocates. These pools keep up to 1,024 small arrays of each size and 64 of each larger one, so what they hold
/// stays a few MiB however large the writes were; arrays larger still go to the shared pool.
/// </summary>
internal static class WalBuffers
{
    private const int SmallBytes = 4 * 1024;
    private const int LargeBytes = 64 * 1024;
    private const int SmallRecords = 64;
    private const int LargeRecords = 1024;

    private static readonly ArrayPool<byte> SmallBytePool = ArrayPool<byte>.Create(SmallBytes, 1024);
    private static readonly ArrayPool<byte> LargeBytePool = ArrayPool<byte>.Create(LargeBytes, 64);
    private static readonly ArrayPool<EncodedRecord> SmallRecordPool = ArrayPool<EncodedRecord>.Create(SmallRecords, 1024);
    private static readonly ArrayPool<EncodedRecord> LargeRecordPool = ArrayPool<EncodedRecord>.Create(LargeRecords, 64);

    // Each pool hands out only lengths up to its limit, so an array's length says which pool it goes back to.
    public static byte[] RentBytes(int minimumLength) => minimumLength switch
    {
        <= SmallBytes => SmallBytePool.Rent(minimumLength),
        <= LargeBytes => LargeBytePool.Rent(minimumLength),
        _ => ArrayPool<byte>.Shared.Rent(minimumLength),
    };

    public static void Return(byte[] array)
    {
        if (array.Length <= SmallBytes)
            SmallBytePool.Return(array);
        else if (array.Length <= LargeBytes)
            LargeBytePool.Return(array);
        else
            ArrayPool<byte>.Shared.Return(array);
    }

    public static EncodedRecord[] RentRecords(int minimumLength) => minimumLength switch
    {
        <= SmallRecords => SmallRecordPool.Rent(minimumLength),
        <= LargeRecords => LargeRecordPool.Rent(minimumLength),
        _ => new EncodedRecord[minimumLength],
    };

    /// <summary>Cleared first: a record holds its persistence id.</summary>
    public static void Return(EncodedRecord[] array)
    {
        if (array.Length == 0)
            return;
        if (array.Length <= SmallRecords)
            SmallRecordPool.Return(array, clearArray: true);
        else if (array.Length <= LargeRecords)
            LargeRecordPool.Return(array, clearArray: true);
    }
}
