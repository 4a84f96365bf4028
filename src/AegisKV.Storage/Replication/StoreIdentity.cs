namespace AegisKV.Storage.Replication;

/// <summary>
/// The identity of a data directory (<c>store-id</c> in it, created once): a replica-group member is a node id
/// plus this, so a node whose disk was replaced or wiped comes back as a new member that must be caught up,
/// never as the old one holding data it no longer has.
/// </summary>
public static class StoreIdentity
{
    private const string FileName = "store-id";

    /// <summary>The id of <paramref name="dataDirectory"/>, created (durably) on first use.</summary>
    /// <exception cref="InvalidDataException">The file exists but does not hold an id.</exception>
    public static string Of(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, FileName);
        if (File.Exists(path))
        {
            var text = File.ReadAllText(path).Trim();
            return Guid.TryParseExact(text, "N", out _) ? text : throw new InvalidDataException($"{path} does not hold a store id");
        }

        FileSystem.CreatePrivateDirectory(dataDirectory);
        var id = Guid.NewGuid().ToString("N");
        FileSystem.ReplaceDurably(path, System.Text.Encoding.ASCII.GetBytes(id + "\n"));
        return id;
    }
}
