using System.Buffers.Binary;
using System.Numerics;

namespace AegisKV.Storage;

/// <summary>
/// CRC-32C (Castagnoli, reflected, init and final xor 0xFFFFFFFF; check value of "123456789" is 0xE3069283).
/// System.IO.Hashing only ships the IEEE CRC-32, so this uses the hardware-accelerated
/// <see cref="BitOperations.Crc32C(uint, ulong)"/> (SSE4.2 / ARMv8 CRC, software fallback elsewhere).
/// </summary>
internal static class Crc32C
{
    public static uint Compute(ReadOnlySpan<byte> data) => ~Append(~0u, data);

    /// <summary>The CRC of two pieces written one after the other, without joining them.</summary>
    public static uint Compute(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second) => ~Append(Append(~0u, first), second);

    /// <summary>Folds <paramref name="data"/> into a running CRC (start from <c>~0u</c>, finish with <c>~</c>).</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }
        if (data.Length >= 4)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt32LittleEndian(data));
            data = data[4..];
        }
        foreach (var b in data)
            crc = BitOperations.Crc32C(crc, b);
        return crc;
    }
}
