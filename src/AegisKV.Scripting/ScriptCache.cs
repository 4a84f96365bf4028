using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace AegisKV.Scripting;

/// <summary>
/// The scripts a node knows by SHA1 (SCRIPT LOAD, and every EVAL): EVALSHA finds its body here. Each node has its
/// own, as each Redis Cluster node has; a client that gets NOSCRIPT sends EVAL, as clients do.
/// </summary>
public sealed class ScriptCache
{
    // Distinct scripts kept; past it the cache starts afresh, as Redis 7.4 evicts EVAL scripts.
    private const int MaxScripts = 10_000;

    private readonly ConcurrentDictionary<string, byte[]> _bodies = new(StringComparer.Ordinal);

    /// <summary>The lower-case hex SHA1 of a script.</summary>
    public static string ShaOf(byte[] body) => Convert.ToHexStringLower(SHA1.HashData(body));

    /// <summary>Keeps <paramref name="body"/>; returns its SHA1.</summary>
    public string Add(byte[] body)
    {
        var sha = ShaOf(body);
        if (_bodies.Count >= MaxScripts && !_bodies.ContainsKey(sha)) _bodies.Clear();
        _bodies[sha] = body;
        return sha;
    }

    /// <summary>The script with SHA1 <paramref name="sha"/> (any case), if known.</summary>
    public bool TryGet(string sha, out byte[] body) => _bodies.TryGetValue(sha.ToLowerInvariant(), out body!);

    /// <summary>True when the script is known.</summary>
    public bool Contains(string sha) => _bodies.ContainsKey(sha.ToLowerInvariant());

    /// <summary>SCRIPT FLUSH.</summary>
    public void Clear() => _bodies.Clear();
}
