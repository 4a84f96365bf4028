using Akka.Configuration;

namespace AegisKV.Server.Configuration;

/// <summary>Whether TLS clients must show a certificate (<c>--tls-client-auth</c>).</summary>
public enum ClientCertificateMode
{
    /// <summary>No certificate is asked for.</summary>
    None,

    /// <summary>One is asked for; a client without one is let in, a client with one the CA did not sign is refused.</summary>
    Optional,

    /// <summary>A client without a certificate the CA signed is refused.</summary>
    Require,
}

/// <summary>
/// The client TLS listener: where it listens, the node's certificate and key (PEM files, reloaded when they change)
/// and how clients are checked. Null in <see cref="NodeSettings.Tls"/> when <c>--tls-cert</c> is not given.
/// </summary>
public sealed record ClientTlsSettings
{
    /// <summary>The TLS listen address (<c>--tls-bind</c>).</summary>
    public required NodeEndpoint Bind { get; init; }

    /// <summary>The node's certificate, PEM, optionally followed by its intermediate CAs (<c>--tls-cert</c>).</summary>
    public required string CertificatePath { get; init; }

    /// <summary>The certificate's private key, PEM (<c>--tls-key</c>).</summary>
    public required string KeyPath { get; init; }

    /// <summary>The CA (PEM, one or more certificates) client certificates must chain to (<c>--tls-ca</c>); null when none is given.</summary>
    public string? CaPath { get; init; }

    /// <summary>Whether clients must show a certificate (<c>--tls-client-auth</c>).</summary>
    public ClientCertificateMode ClientAuth { get; init; } = ClientCertificateMode.None;

    /// <summary>How often the certificate files are looked at for a change (<c>aegis.tls.reload-interval</c>).</summary>
    public TimeSpan ReloadInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest time a client may take over its handshake (<c>aegis.tls.handshake-timeout</c>).</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Reads the <c>tls-*</c> settings of <paramref name="config"/> (defaults merged in): null when TLS is off.
    /// Only the settings are checked here; the files are read when the node starts.
    /// </summary>
    /// <exception cref="SettingsException">A TLS setting is missing, given without the others it needs, or malformed.</exception>
    public static ClientTlsSettings? From(Config config, Func<string, TimeSpan> duration)
    {
        var cert = config.GetString("aegis.tls-cert", "");
        var key = config.GetString("aegis.tls-key", "");
        var ca = config.GetString("aegis.tls-ca", "");
        var bind = config.GetString("aegis.tls-bind", "");
        var mode = config.GetString("aegis.tls-client-auth", "none").ToLowerInvariant() switch
        {
            "none" => ClientCertificateMode.None,
            "optional" => ClientCertificateMode.Optional,
            "require" => ClientCertificateMode.Require,
            var other => throw new SettingsException("tls-client-auth", $"expected none, optional or require, got '{other}'"),
        };

        if (cert.Length == 0)
        {
            // Each of these means nothing without a certificate: say so rather than serve plain text.
            foreach (var (name, value) in new[] { ("tls-key", key), ("tls-ca", ca), ("tls-bind", bind) })
                if (value.Length > 0) throw new SettingsException(name, "needs --tls-cert (and --tls-key): the node has no certificate to serve TLS with");
            if (mode != ClientCertificateMode.None) throw new SettingsException("tls-client-auth", "needs --tls-cert (and --tls-key)");
            return null;
        }

        if (key.Length == 0) throw new SettingsException("tls-key", "--tls-cert needs its private key: give --tls-key");
        if (bind.Length == 0) throw new SettingsException("tls-bind", "give the address TLS clients connect to, e.g. --tls-bind 0.0.0.0:7703");
        if (!NodeEndpoint.TryParse(bind, out var endpoint)) throw new SettingsException("tls-bind", $"expected host:port or :port, got '{bind}'");
        // Checking client certificates against the machine's public CAs would let in anyone who bought one.
        if (mode != ClientCertificateMode.None && ca.Length == 0)
            throw new SettingsException("tls-client-auth", "client certificates are checked against --tls-ca: give the CA that signs them");
        return new ClientTlsSettings
        {
            Bind = endpoint,
            CertificatePath = cert,
            KeyPath = key,
            CaPath = ca.Length == 0 ? null : ca,
            ClientAuth = mode,
            ReloadInterval = duration("tls.reload-interval"),
            HandshakeTimeout = duration("tls.handshake-timeout"),
        };
    }
}
