namespace AegisKV.Server.Network;

/// <summary>
/// What one client, and all of them together, may hold on a node: Redis's <c>maxclients</c>,
/// <c>timeout</c>, <c>client-query-buffer-limit</c> and <c>client-output-buffer-limit</c>, plus a
/// node-wide cap on bytes of requests read but not yet complete.
/// </summary>
public sealed record ClientLimits
{
    /// <summary>Open connections allowed; one more is told <c>-ERR max number of clients reached</c> and closed.</summary>
    public int MaxClients { get; init; } = 10_000;

    /// <summary>A client with no bytes in or out for this long is closed; zero is never.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.Zero;

    /// <summary>Bytes of incomplete requests one client may have buffered.</summary>
    public long MaxQueryBuffer { get; init; } = 1L << 30;

    /// <summary>Bytes of incomplete requests all clients together may have buffered.</summary>
    public long MaxBufferedRequests { get; init; } = 1L << 30;

    /// <summary>Bytes of replies a client has not read yet before it is disconnected.</summary>
    public long MaxOutputBuffer { get; init; } = 512L << 20;
}
