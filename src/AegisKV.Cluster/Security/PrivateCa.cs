using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AegisKV.Cluster.Security;

/// <summary>
/// Certificate checks against a CA the operator named, and nothing else: the machine's public roots would admit
/// anyone who bought a certificate. Client TLS, node-to-node TLS and the admin commands' <c>--cacert</c> share it.
/// </summary>
public static class PrivateCa
{
    /// <summary>Extended key usage "TLS client authentication".</summary>
    public static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    /// <summary>
    /// True when <paramref name="certificate"/> chains to one of <paramref name="ca"/>, through
    /// <paramref name="intermediates"/> where needed, and (when <paramref name="usage"/> is given and the certificate
    /// names its usages) is issued for <paramref name="usage"/>.
    /// </summary>
    public static bool Signed(X509Certificate2 certificate, X509Certificate2Collection ca, X509Certificate2Collection? intermediates = null, Oid? usage = null)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (intermediates is not null) chain.ChainPolicy.ExtraStore.AddRange(intermediates);
        if (usage is not null) chain.ChainPolicy.ApplicationPolicy.Add(usage);
        return chain.Build(certificate);
    }
}
