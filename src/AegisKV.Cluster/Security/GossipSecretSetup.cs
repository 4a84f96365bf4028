using System.Security.Cryptography;
using System.Text;
using Akka.Actor.Setup;

namespace AegisKV.Cluster.Security;

/// <summary>
/// The gossip secret, handed to the actor system as a setup rather than through its configuration, so that it
/// never shows where configuration is logged or dumped. <see cref="GossipSecretTransport"/> reads it.
/// </summary>
public sealed class GossipSecretSetup : Setup
{
    /// <summary>Keys the handshake with <paramref name="secret"/>; <paramref name="metrics"/> counts refused connections.</summary>
    public GossipSecretSetup(string secret, TimeSpan handshakeTimeout, ClusterMetrics? metrics = null)
    {
        // A key of fixed length from a secret of any length, and one that proves nothing outside this handshake.
        Key = SHA256.HashData(Encoding.UTF8.GetBytes("aegis-gossip-secret-v1\n" + secret));
        HandshakeTimeout = handshakeTimeout;
        Metrics = metrics;
    }

    /// <summary>The HMAC key both sides of a connection prove they hold.</summary>
    internal byte[] Key { get; }

    /// <summary>Longest time a new node-to-node connection may take to prove it holds the secret.</summary>
    public TimeSpan HandshakeTimeout { get; }

    /// <summary>Where refused connections are counted; null counts nothing.</summary>
    public ClusterMetrics? Metrics { get; }

    /// <summary>The HOCON that makes Akka.Remote's TCP transport a <see cref="GossipSecretTransport"/>.</summary>
    public static string Hocon => $$"""
        akka.remote.dot-netty.tcp.transport-class = "{{typeof(GossipSecretTransport).FullName}}, {{typeof(GossipSecretTransport).Assembly.GetName().Name}}"
        """;
}
