using System.Collections.Immutable;
using System.Text;
using AegisKV.Storage;

namespace AegisKV.Cluster.Custody;

/// <summary>What one node's custody replica keeps: a register per entry and the membership. Immutable.</summary>
/// <param name="Registers">Registers by key (<c>shard/12</c>).</param>
/// <param name="Members">The cluster's last known data members.</param>
/// <param name="Owner">The node id of the node whose data directory this is; empty before its first save.</param>
public sealed record CustodyState(ImmutableSortedDictionary<string, Register> Registers, Membership Members, string Owner = "")
{
    private const uint Magic = 0x43564B41; // "AKVC"
    private const byte Version = 1;

    /// <summary>Nothing known.</summary>
    public static readonly CustodyState Empty = new(ImmutableSortedDictionary.Create<string, Register>(StringComparer.Ordinal), Membership.Empty);

    /// <summary>The register of <paramref name="key"/>, empty when nothing was written to it.</summary>
    public Register Get(string key) => Registers.TryGetValue(key, out var register) ? register : Register.Empty;

    /// <summary>This state with <paramref name="key"/>'s register replaced.</summary>
    public CustodyState With(string key, Register register) => this with { Registers = Registers.SetItem(key, register) };

    /// <summary>The file form: the entries, then a CRC-32 of everything before it.</summary>
    public byte[] Encode()
    {
        using var buffer = new MemoryStream();
        using (var w = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(Version);
            w.Write(Owner);
            WriteMembers(w, Members);

            w.Write(Registers.Count);
            foreach (var (key, register) in Registers)
            {
                w.Write(key);
                WriteBallot(w, register.Promised);
                WriteBallot(w, register.Accepted);
                w.Write(register.Value is not null);
                if (register.Value is not null) w.Write(register.Value);
            }
        }

        var crc = System.IO.Hashing.Crc32.HashToUInt32(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        buffer.Write(BitConverter.GetBytes(crc));
        return buffer.ToArray();
    }

    /// <summary>Reads what <see cref="Encode"/> wrote.</summary>
    /// <exception cref="InvalidDataException">The bytes are damaged or not a custody file.</exception>
    public static CustodyState Decode(ReadOnlySpan<byte> data)
    {
        if (data.Length < 9) throw new InvalidDataException("custody file too short");
        var body = data[..^4];
        if (System.IO.Hashing.Crc32.HashToUInt32(body) != BitConverter.ToUInt32(data[^4..])) throw new InvalidDataException("custody file checksum mismatch");
        using var r = new BinaryReader(new MemoryStream(body.ToArray()), Encoding.UTF8);
        if (r.ReadUInt32() != Magic) throw new InvalidDataException("not a custody file");
        if (r.ReadByte() != Version) throw new InvalidDataException("unknown custody file version");
        var owner = r.ReadString();
        var members = ReadMembers(r);
        var registers = ImmutableSortedDictionary.CreateBuilder<string, Register>(StringComparer.Ordinal);
        for (var i = r.ReadInt32(); i > 0; i--)
        {
            var key = r.ReadString();
            var promised = ReadBallot(r);
            var accepted = ReadBallot(r);
            registers[key] = new Register(promised, accepted, r.ReadBoolean() ? r.ReadString() : null);
        }

        return new CustodyState(registers.ToImmutable(), members, owner);
    }

    /// <summary>
    /// This state for a node started as <paramref name="nodeId"/>. A node that never shared its data with other
    /// members may take a new id: its entries follow. A member of a cluster may not: the others record its shards
    /// under its id, so it would hold data nobody can find. Returns null then.
    /// </summary>
    public CustodyState? OwnedBy(string nodeId)
    {
        if (Owner.Length == 0 || Owner == nodeId) return this with { Owner = nodeId };
        if (Members.Members.Any(m => m != Owner)) return null;
        var registers = Registers.ToImmutableSortedDictionary(
            e => e.Key, e => e.Value.Value == Owner ? e.Value with { Value = nodeId } : e.Value, StringComparer.Ordinal);
        var members = Members.Contains(Owner) ? Members.With(Owner, false).With(nodeId, true) : Members;
        return new CustodyState(registers, members, nodeId);
    }

    // Membership in the file and on the wire alike.
    internal static void WriteMembers(BinaryWriter w, Membership members)
    {
        w.Write(members.Entries.Count);
        foreach (var (nodeId, entry) in members.Entries)
        {
            w.Write(nodeId);
            w.Write(entry.Version);
            w.Write(entry.Present);
            w.Write(entry.Address);
        }
    }

    internal static Membership ReadMembers(BinaryReader r)
    {
        var entries = new List<KeyValuePair<string, Membership.Entry>>();
        for (var i = r.ReadInt32(); i > 0; i--)
            entries.Add(KeyValuePair.Create(r.ReadString(), new Membership.Entry(r.ReadInt64(), r.ReadBoolean(), r.ReadString())));
        return Membership.Of(entries);
    }

    internal static void WriteBallot(BinaryWriter w, Ballot ballot)
    {
        w.Write(ballot.Counter);
        w.Write(ballot.NodeId ?? "");
    }

    internal static Ballot ReadBallot(BinaryReader r) => new(r.ReadInt64(), r.ReadString());
}
