namespace AegisKV.Storage;

/// <summary>Ask the journal actor for its <see cref="WalStats"/>.</summary>
public sealed record GetWalStats
{
    private GetWalStats()
    {
    }

    /// <summary>The single instance.</summary>
    public static GetWalStats Instance { get; } = new();
}
