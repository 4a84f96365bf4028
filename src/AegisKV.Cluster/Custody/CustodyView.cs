namespace AegisKV.Cluster.Custody;

/// <summary>
/// This node's replica state as last saved, readable from any thread: placement reads shard holders from it as
/// hints (decisions go through a majority), and rounds start from its membership.
/// </summary>
public sealed class CustodyView
{
    private CustodyState _current;

    /// <summary>A view starting at <paramref name="initial"/>.</summary>
    public CustodyView(CustodyState initial) => _current = initial;

    /// <summary>The state as last saved.</summary>
    public CustodyState Current => Volatile.Read(ref _current);

    /// <summary>The holder this replica last accepted for <paramref name="shardId"/>, if any.</summary>
    public string? HolderOf(string shardId) => Current.Get(CustodyKeys.Shard(shardId)).Value;

    internal void Publish(CustodyState state) => Volatile.Write(ref _current, state);
}
