namespace AegisKV.Cluster.Monitoring;

/// <summary>Asks a node's <c>figures</c> actor for its <see cref="NodeFigures"/>.</summary>
public sealed class GetNodeFigures
{
    /// <summary>The single instance.</summary>
    public static readonly GetNodeFigures Instance = new();

    private GetNodeFigures()
    {
    }
}

/// <summary>
/// What one node tells an operator about itself: the figures of its dashboard row and of <c>aegis top</c>. Rates and
/// quantiles cover the node's last sampling interval (about a second).
/// </summary>
/// <param name="NodeId">The node's <c>--node-id</c>.</param>
/// <param name="UptimeSeconds">Seconds since the node started.</param>
/// <param name="Ready">True when its <c>/ready</c> would answer 200.</param>
/// <param name="OpsPerSecond">Commands answered per second.</param>
/// <param name="ErrorsPerSecond">Commands answered with an error per second.</param>
/// <param name="P99Micros">The 99th percentile of command latency (blocking commands excluded), as the upper bound of its power-of-two bucket; -1 with no command.</param>
/// <param name="MemoryUsedBytes">Bytes of keys and values held.</param>
/// <param name="MemoryMaxBytes">The <c>--max-memory</c> limit (0: none).</param>
/// <param name="DiskFreeBytes">Free bytes on the data directory's file system.</param>
/// <param name="DiskTotalBytes">Its used plus free bytes (space reserved for root left out, as df counts).</param>
/// <param name="FsyncP99Micros">The 99th percentile of WAL fsync time, as <paramref name="P99Micros"/>; -1 with no fsync.</param>
/// <param name="FsyncsPerSecond">WAL fsyncs per second.</param>
/// <param name="Connections">Open client connections.</param>
/// <param name="Keys">Keys held by the node's shards.</param>
/// <param name="ShardsServing">Shards that run and serve here.</param>
/// <param name="BreakersOpen">Circuit breakers open now in front of other nodes.</param>
/// <param name="GroupsUnderReplicated">Replica groups led here with a member out of sync.</param>
public sealed record NodeFigures(
    string NodeId,
    long UptimeSeconds,
    bool Ready,
    double OpsPerSecond,
    double ErrorsPerSecond,
    long P99Micros,
    long MemoryUsedBytes,
    long MemoryMaxBytes,
    long DiskFreeBytes,
    long DiskTotalBytes,
    long FsyncP99Micros,
    double FsyncsPerSecond,
    long Connections,
    long Keys,
    int ShardsServing,
    int BreakersOpen,
    int GroupsUnderReplicated);
