namespace AegisKV.Storage.Replication;

/// <summary>
/// Keeps each shard's <see cref="ReplicaMetadata"/> in <c>replication/{persistence id}.meta</c> under the data
/// directory, apart from the WAL: replaced whole and synced before <see cref="Save"/> returns, since a promise
/// must be durable before it is sent. Promises change only at view changes, so this is not on the write path.
/// </summary>
public sealed class ReplicaMetadataStore
{
    private readonly string _directory;

    /// <summary>A store under <paramref name="dataDirectory"/>.</summary>
    public ReplicaMetadataStore(string dataDirectory)
    {
        _directory = Path.Combine(dataDirectory, "replication");
        FileSystem.CreatePrivateDirectory(_directory);
    }

    /// <summary>The shard's saved metadata; <see cref="ReplicaMetadata.Empty"/> when it has none yet.</summary>
    /// <exception cref="InvalidDataException">The file is damaged: the replica must not guess what it promised.</exception>
    public ReplicaMetadata Load(string persistenceId)
    {
        var path = PathOf(persistenceId);
        if (!File.Exists(path)) return ReplicaMetadata.Empty;
        try
        {
            return ReplicaMetadata.Decode(File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            throw new InvalidDataException($"{path} is damaged ({e.Message}); the replica cannot know which epoch it promised", e);
        }
    }

    /// <summary>Replaces the shard's metadata; returns once it is durable.</summary>
    public void Save(string persistenceId, ReplicaMetadata metadata) => FileSystem.ReplaceDurably(PathOf(persistenceId), metadata.Encode());

    private string PathOf(string persistenceId) => Path.Combine(_directory, PersistenceIdEscaper.Escape(persistenceId) + ".meta");
}
