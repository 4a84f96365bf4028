using System.Globalization;
using System.Text;
using AegisKV.Storage;

namespace AegisKV.Core.Sharding;

/// <summary>
/// How keys map to shards in a data directory, recorded in its <c>keyspace</c> file: the
/// scheme and the shard count. A node whose own mapping differs must re-home the keys
/// (<see cref="KeyspaceMigration"/>) before it serves, or refuse to start; it never serves a
/// key from a shard that does not hold it.
/// </summary>
/// <param name="Scheme">The key-to-shard scheme.</param>
/// <param name="Shards">The number of shards.</param>
public sealed record KeyspaceLayout(string Scheme, int Shards)
{
    /// <summary>File name below the data directory.</summary>
    public const string FileName = "keyspace";

    /// <summary>CRC16 hash slots with contiguous slot ranges per shard (<see cref="KeySlots"/>).</summary>
    public const string SlotScheme = "crc16-slots";

    /// <summary>
    /// XxHash3 of the key (or its hash tag) mod the shard count: what data directories written before
    /// hash slots use. They have no <c>keyspace</c> file; their shard count is not recorded.
    /// </summary>
    public const string LegacyScheme = "xxhash3-mod";

    /// <summary>The layout of this release for <paramref name="shards"/> shards.</summary>
    public static KeyspaceLayout Current(int shards) => new(SlotScheme, shards);

    /// <summary>Reads the data directory's layout; null when it has no <c>keyspace</c> file.</summary>
    /// <exception cref="InvalidDataException">The file is unreadable or names a scheme this release does not know.</exception>
    public static KeyspaceLayout? Read(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, FileName);
        if (!File.Exists(path)) return null;
        string? scheme = null;
        var shards = 0;
        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            var eq = line.IndexOf('=');
            if (eq < 0) throw new InvalidDataException($"{path}: cannot read line '{line}'");
            var (name, value) = (line[..eq].Trim(), line[(eq + 1)..].Trim());
            if (name == "scheme") scheme = value;
            else if (name == "shards" && !int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out shards))
                throw new InvalidDataException($"{path}: shards '{value}' is not a number");
        }

        if (scheme != SlotScheme)
            throw new InvalidDataException($"{path}: key scheme '{scheme}' is unknown to this release (it knows '{SlotScheme}'); was the data directory written by a newer AegisKV?");
        if (shards < 1) throw new InvalidDataException($"{path}: no shard count");
        return new KeyspaceLayout(scheme, shards);
    }

    /// <summary>Records this layout in the data directory, atomically and durably.</summary>
    public void Write(string dataDirectory)
    {
        var text = $"# How keys map to shards in this data directory; written by AegisKV, do not edit.\nscheme={Scheme}\nshards={Shards.ToString(CultureInfo.InvariantCulture)}\n";
        FileSystem.ReplaceDurably(Path.Combine(dataDirectory, FileName), Encoding.UTF8.GetBytes(text));
    }

    /// <summary>The shard numbers with persisted data in <paramref name="dataDirectory"/>.</summary>
    public static IReadOnlyList<int> StoredShards(string dataDirectory)
    {
        var shards = new List<int>();
        foreach (var id in WalInventory.PersistenceIds(dataDirectory))
            if (id.StartsWith("shard-", StringComparison.Ordinal)
                && int.TryParse(id.AsSpan(6), NumberStyles.None, CultureInfo.InvariantCulture, out var shard))
                shards.Add(shard);
        shards.Sort();
        return shards;
    }
}
