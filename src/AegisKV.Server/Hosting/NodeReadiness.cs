namespace AegisKV.Server.Hosting;

/// <summary>Whether this node's shards have recovered from the WAL and serve.</summary>
public sealed class NodeReadiness
{
    private int _recovered;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Creates the tracker for <paramref name="shards"/> shards.</summary>
    public NodeReadiness(int shards) => Shards = shards;

    /// <summary>Shards in the key space.</summary>
    public int Shards { get; }

    /// <summary>Shards that have answered after recovery.</summary>
    public int Recovered => Volatile.Read(ref _recovered);

    /// <summary>True once every shard has recovered.</summary>
    public bool IsReady => _ready.Task.IsCompleted;

    /// <summary>Completes when every shard has recovered.</summary>
    public Task WhenReady => _ready.Task;

    /// <summary>Counts one recovered shard.</summary>
    public void ShardRecovered()
    {
        if (Interlocked.Increment(ref _recovered) >= Shards) _ready.TrySetResult();
    }
}
