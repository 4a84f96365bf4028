using System.Buffers.Binary;
using System.Text;

namespace AegisKV.Storage.Replication;

/// <summary>
/// What a replica of one shard keeps apart from the shard's log: the epoch it promised last (which it must
/// never forget, or a deposed primary could commit again), how far it knows the log committed, and the group's
/// members as it last knew them; and whether it lost its copy and has not caught up since (ADR 0016).
/// </summary>
/// <param name="PromisedCounter">The counter of the epoch promised; 0 for none.</param>
/// <param name="PromisedMember">The member that leads that epoch.</param>
/// <param name="Commit">The commit position known when it was saved (a hint: it only ever lags).</param>
/// <param name="Members">The group's members.</param>
/// <param name="Rejoining">Its copy was discarded (the WAL lost records of it): it takes no part in view changes yet.</param>
public sealed record ReplicaMetadata(long PromisedCounter, string PromisedMember, long Commit, IReadOnlyList<string> Members, bool Rejoining = false)
{
    // Version 2 added the flags byte (bit 0: rejoining); version 1 files are read as not rejoining.
    private const byte Version = 2;

    /// <summary>A replica that never promised anything.</summary>
    public static readonly ReplicaMetadata Empty = new(0, "", 0, []);

    /// <inheritdoc />
    public bool Equals(ReplicaMetadata? other) =>
        other is not null && PromisedCounter == other.PromisedCounter && PromisedMember == other.PromisedMember && Commit == other.Commit
        && Rejoining == other.Rejoining && Members.SequenceEqual(other.Members, StringComparer.Ordinal);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(PromisedCounter, PromisedMember, Commit, Members.Count, Rejoining);

    /// <summary>
    /// version u8 | promised counter i64 | promised member str | commit i64 | member count u16 | members str…
    /// | flags u8 | CRC-32C u32 of everything before it; str is a u16 byte count and UTF-8, integers little-endian.
    /// </summary>
    internal byte[] Encode()
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Version);
            writer.Write(PromisedCounter);
            WriteString(writer, PromisedMember);
            writer.Write(Commit);
            writer.Write(checked((ushort)Members.Count));
            foreach (var member in Members) WriteString(writer, member);
            writer.Write((byte)(Rejoining ? 1 : 0));
        }

        var crc = Crc32C.Compute(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        Span<byte> tail = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(tail, crc);
        buffer.Write(tail);
        return buffer.ToArray();
    }

    /// <exception cref="InvalidDataException">The bytes are damaged or of an unknown version.</exception>
    internal static ReplicaMetadata Decode(byte[] bytes)
    {
        if (bytes.Length < 5 || BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4)) != Crc32C.Compute(bytes.AsSpan(0, bytes.Length - 4)))
            throw new InvalidDataException("checksum mismatch");
        using var reader = new BinaryReader(new MemoryStream(bytes, 0, bytes.Length - 4), Encoding.UTF8);
        var version = reader.ReadByte();
        if (version is not (1 or Version)) throw new InvalidDataException($"unknown version {version}");
        var counter = reader.ReadInt64();
        var member = ReadString(reader);
        var commit = reader.ReadInt64();
        var members = new string[reader.ReadUInt16()];
        for (var i = 0; i < members.Length; i++) members[i] = ReadString(reader);
        var flags = version >= 2 ? reader.ReadByte() : (byte)0;
        if (reader.BaseStream.Position != reader.BaseStream.Length) throw new InvalidDataException("trailing bytes");
        return new ReplicaMetadata(counter, member, commit, members, (flags & 1) != 0);
    }

    private static void WriteString(BinaryWriter writer, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        writer.Write(checked((ushort)bytes.Length));
        writer.Write(bytes);
    }

    private static string ReadString(BinaryReader reader)
    {
        var length = reader.ReadUInt16();
        var bytes = reader.ReadBytes(length);
        if (bytes.Length != length) throw new InvalidDataException("truncated");
        return Encoding.UTF8.GetString(bytes);
    }
}
