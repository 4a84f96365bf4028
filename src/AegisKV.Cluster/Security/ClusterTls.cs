using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Event;
using Akka.Remote.Transport.DotNetty;

namespace AegisKV.Cluster.Security;

/// <summary>
/// Mutual TLS between nodes on Akka.Remote's TCP transport: each node presents its own certificate, and accepts a
/// peer only when the peer's certificate chains to the cluster's CA. Never the machine's public CAs, which would
/// admit anyone holding any certificate.
/// </summary>
public static class ClusterTls
{
    /// <summary>The HOCON that turns TLS on for the TCP transport; the certificate comes with <see cref="Setup"/>.</summary>
    public const string Hocon = "akka.remote.dot-netty.tcp.enable-ssl = true";

    /// <summary>
    /// The transport's TLS setup from PEM files: the node's certificate and key, and the cluster CA peers must chain
    /// to. Checks happen on both sides of every connection (mutual authentication).
    /// </summary>
    /// <exception cref="CryptographicException">A file holds no usable certificate or key.</exception>
    /// <exception cref="IOException">A file cannot be read.</exception>
    public static DotNettySslSetup Setup(string certificatePath, string keyPath, string caPath, Action<string>? refused = null)
    {
        var certificate = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        var ca = new X509Certificate2Collection();
        ca.ImportFromPemFile(caPath);
        if (ca.Count == 0) throw new CryptographicException($"'{caPath}' holds no PEM certificate");
        return new DotNettySslSetup(certificate, suppressValidation: false, requireMutualAuthentication: true, validateCertificateHostname: false,
            (presented, chain, peer, _, log) => SignedByCa(presented, chain, peer, ca, log, refused));
    }

    // The standard checks' verdict (the machine's roots) is set aside: only the cluster CA counts.
    private static bool SignedByCa(X509Certificate2? presented, X509Chain? sent, string peer, X509Certificate2Collection ca, ILoggingAdapter log,
        Action<string>? refused)
    {
        if (presented is not null && PrivateCa.Signed(presented, ca, sent?.ChainPolicy.ExtraStore)) return true;

        var reason = presented is null ? "it showed no certificate" : $"its certificate ({presented.Subject}) is not signed by the cluster CA";
        log.Warning("Refused a node-to-node TLS connection with {0}: {1}", peer, reason);
        refused?.Invoke(reason);
        return false;
    }
}
