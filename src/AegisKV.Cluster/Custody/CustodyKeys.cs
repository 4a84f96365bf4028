namespace AegisKV.Cluster.Custody;

/// <summary>Names of custody entries.</summary>
public static class CustodyKeys
{
    /// <summary>The entry holding the node id of the newest copy of shard <paramref name="shardId"/>.</summary>
    public static string Shard(string shardId) => "shard/" + shardId;

    /// <summary>The entry for shard number <paramref name="shardId"/>.</summary>
    public static string Shard(int shardId) => Shard(shardId.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
