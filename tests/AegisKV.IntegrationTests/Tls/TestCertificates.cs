using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AegisKV.IntegrationTests.Tls;

/// <summary>
/// A throwaway PKI in a temporary directory, as an operator's would be: a CA, a node certificate for 127.0.0.1 and
/// localhost signed by it, a client certificate signed by it, and a client certificate from another CA. PEM files.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");
    private readonly (X509Certificate2 Certificate, ECDsa Key) _ca;
    private readonly (X509Certificate2 Certificate, ECDsa Key) _other;

    public TestCertificates()
    {
        Directory.CreateDirectory(Root);
        _ca = Authority("CN=AegisKV test CA");
        CaPath = Write("ca.crt", _ca.Certificate.ExportCertificatePem());
        (NodeCertificatePath, NodeKeyPath) = WriteNode("node", DateTimeOffset.UtcNow.AddDays(365));
        var client = Leaf(_ca, "CN=client", [ClientAuthentication], DateTimeOffset.UtcNow.AddDays(365));
        Client = client;
        ClientCertificatePath = Write("client.crt", client.ExportCertificatePem());
        ClientKeyPath = Write("client.key", client.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        _other = Authority("CN=some other CA");
        ForeignClient = Leaf(_other, "CN=intruder", [ClientAuthentication], DateTimeOffset.UtcNow.AddDays(365));
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "aegis-tls-" + Guid.NewGuid().ToString("N"));

    public X509Certificate2 Ca => _ca.Certificate;

    public string CaPath { get; }

    public string NodeCertificatePath { get; }

    public string NodeKeyPath { get; }

    /// <summary>A client certificate the CA signed, with its key.</summary>
    public X509Certificate2 Client { get; }

    public string ClientCertificatePath { get; }

    public string ClientKeyPath { get; }

    /// <summary>A client certificate, with its key, that another CA signed.</summary>
    public X509Certificate2 ForeignClient { get; }

    /// <summary>The node flags that serve TLS on a free loopback port with these files.</summary>
    public Dictionary<string, string> NodeFlags(string clientAuth = "none") => new()
    {
        ["tls-cert"] = NodeCertificatePath,
        ["tls-key"] = NodeKeyPath,
        ["tls-ca"] = CaPath,
        ["tls-bind"] = "127.0.0.1:0",
        ["tls-client-auth"] = clientAuth,
    };

    /// <summary>Writes a new node certificate and key, the CA's, valid until <paramref name="notAfter"/>; their paths.</summary>
    public (string Certificate, string Key) WriteNode(string name, DateTimeOffset notAfter)
    {
        var node = Leaf(_ca, "CN=" + name, [ServerAuthentication], notAfter);
        return (Write(name + ".crt", node.ExportCertificatePem()), Write(name + ".key", node.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem()));
    }

    /// <summary>
    /// Puts <paramref name="key"/> and then <paramref name="certificate"/> in place of the node's files, each
    /// truncated and rewritten as <c>cp</c> does it. Not <see cref="File.Copy(string, string, bool)"/>: .NET's
    /// emulated share locks would refuse it while the node, in this process, reads the file.
    /// </summary>
    public void Renew(string certificate, string key)
    {
        Overwrite(key, NodeKeyPath);
        Overwrite(certificate, NodeCertificatePath);
    }

    /// <summary>
    /// Writes a cluster node's certificate and key (it serves and connects, so both usages), the CA's or, with
    /// <paramref name="foreign"/>, another CA's; their paths.
    /// </summary>
    public (string Certificate, string Key) WriteClusterNode(string name, bool foreign = false)
    {
        var node = Leaf(foreign ? _other : _ca, "CN=" + name, [ServerAuthentication, ClientAuthentication], DateTimeOffset.UtcNow.AddDays(365));
        return (Write(name + ".crt", node.ExportCertificatePem()), Write(name + ".key", node.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem()));
    }

    /// <summary>True when <paramref name="presented"/> chains to the test CA: what a client that trusts only it checks.</summary>
    public bool IsSignedByCa(X509Certificate? presented)
    {
        if (presented is null) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(presented as X509Certificate2 ?? new X509Certificate2(presented));
    }

    public void Dispose()
    {
        _ca.Key.Dispose();
        _other.Key.Dispose();
        if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
    }

    private static void Overwrite(string source, string destination)
    {
        var bytes = File.ReadAllBytes(source);
        using var file = new FileStream(destination, FileMode.Create, FileAccess.Write, FileShare.ReadWrite);
        file.Write(bytes);
    }

    private string Write(string name, string pem)
    {
        var path = Path.Combine(Root, name);
        File.WriteAllText(path, pem);
        return path;
    }

    private static (X509Certificate2 Certificate, ECDsa Key) Authority(string subject)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return (request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow.AddYears(2)), key);
    }

    private static X509Certificate2 Leaf((X509Certificate2 Certificate, ECDsa Key) issuer, string subject, Oid[] usages, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        var usageList = new OidCollection();
        foreach (var usage in usages) usageList.Add(usage);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usageList, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer.Certificate, true, false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        var notBefore = notAfter < DateTimeOffset.UtcNow ? notAfter.AddHours(-1) : DateTimeOffset.UtcNow.AddHours(-1);
        using var signed = request.Create(issuer.Certificate, notBefore, notAfter, RandomNumberGenerator.GetBytes(16));
        return signed.CopyWithPrivateKey(key);
    }
}
