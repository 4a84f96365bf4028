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
    private static readonly Pools<byte> Bytes = new(smallMax: 4 * 1024, largeMax: 64 * 1024);
    private static readonly Pools<EncodedRecord> Records = new(smallMax: 64, largeMax: 1024);

    public static byte[] RentBytes(int minimumLength) => Bytes.Rent(minimumLength);

    public static void Return(byte[] array) => Bytes.Return(array, clear: false);

    public static EncodedRecord[] RentRecords(int minimumLength) => Records.Rent(minimumLength);

    /// <summary>Cleared first: a record holds its persistence id.</summary>
    public static void Return(EncodedRecord[] array) => Records.Return(array, clear: true);

    // Each pool hands out only lengths up to its limit, so an array's length says which pool it goes back to.
    private sealed class Pools<T>(int smallMax, int largeMax)
    {
        private readonly ArrayPool<T> _small = ArrayPool<T>.Create(smallMax, 1024);
        private readonly ArrayPool<T> _large = ArrayPool<T>.Create(largeMax, 64);

        public T[] Rent(int minimumLength) =>
            minimumLength <= smallMax ? _small.Rent(minimumLength)
            : minimumLength <= largeMax ? _large.Rent(minimumLength)
            : ArrayPool<T>.Shared.Rent(minimumLength);

        public void Return(T[] array, bool clear)
        {
            if (array.Length == 0)
                return;
            var pool = array.Length <= smallMax ? _small : array.Length <= largeMax ? _large : ArrayPool<T>.Shared;
            pool.Return(array, clear);
        }
    }
}
