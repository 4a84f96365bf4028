using AegisKV.Storage;

namespace AegisKV.Cluster.Custody;

/// <summary>
/// Keeps a node's <see cref="CustodyState"/> in <c>cluster/custody</c> under its data directory, replaced whole
/// and synced on every save (it is small: one entry per shard). Without durability (<c>--wal off</c>) it is
/// kept in memory only.
/// </summary>
public sealed class CustodyStore
{
    private readonly string? _path;

    /// <summary>A store under <paramref name="dataDirectory"/>; null keeps nothing on disk.</summary>
    public CustodyStore(string? dataDirectory)
    {
        if (dataDirectory is null) return;
        var directory = Path.Combine(dataDirectory, "cluster");
        FileSystem.CreatePrivateDirectory(directory);
        _path = Path.Combine(directory, "custody");
    }

    /// <summary>The saved state; empty when there is none yet.</summary>
    /// <exception cref="InvalidDataException">The file is damaged: the node must not guess what it held.</exception>
    public CustodyState Load()
    {
        if (_path is null || !File.Exists(_path)) return CustodyState.Empty;
        try
        {
            return CustodyState.Decode(File.ReadAllBytes(_path));
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            throw new InvalidDataException($"{_path} is damaged ({e.Message}); the node cannot know which shards it holds", e);
        }
    }

    /// <summary>Replaces the saved state; returns once it is durable.</summary>
    public void Save(CustodyState state)
    {
        if (_path is not null) FileSystem.ReplaceDurably(_path, state.Encode());
    }
}
