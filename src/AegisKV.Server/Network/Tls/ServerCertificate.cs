using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AegisKV.Server.Configuration;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace AegisKV.Server.Network.Tls;

/// <summary>
/// The node's TLS certificate and the CA its clients' certificates are checked against, read from PEM files and
/// read again when they change, so a renewed certificate is served to new connections without a restart. A pair
/// that fails to load (a key that does not match, a file half written) leaves the one in use in place, and says so.
/// </summary>
public sealed class ServerCertificate : IDisposable
{
    // The checklist's threshold: operators hear of an expiry a month ahead.
    private static readonly TimeSpan ExpiryWarning = TimeSpan.FromDays(30);

    private readonly ClientTlsSettings _settings;
    private Loaded _current;
    private Timer? _timer;
    private ILogger? _log;
    private DateTime _lastExpiryWarning = DateTime.MinValue;
    private readonly object _checking = new();

    private ServerCertificate(ClientTlsSettings settings, Loaded current)
    {
        _settings = settings;
        _current = current;
    }

    /// <summary>The certificate served now.</summary>
    public X509Certificate2 Certificate => Volatile.Read(ref _current).Certificate;

    /// <summary>What a handshake presents: the certificate and its intermediate CAs.</summary>
    public SslStreamCertificateContext Context => Volatile.Read(ref _current).Context;

    /// <summary>The CA client certificates must chain to; empty when none was given.</summary>
    public X509Certificate2Collection ClientCa => Volatile.Read(ref _current).Ca;

    /// <summary>The settings the certificate was loaded with.</summary>
    public ClientTlsSettings Settings => _settings;

    /// <summary>Reads the certificate, key and CA files of <paramref name="settings"/>.</summary>
    /// <exception cref="SettingsException">A file cannot be read, holds no usable certificate or key, or the certificate has expired.</exception>
    public static ServerCertificate Load(ClientTlsSettings settings)
    {
        var loaded = Read(settings, Stamp(settings));
        var now = DateTime.UtcNow;
        if (loaded.Certificate.NotAfter.ToUniversalTime() <= now)
            throw new SettingsException("tls-cert", $"the certificate in '{settings.CertificatePath}' expired on {loaded.Certificate.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm} UTC: renew it");
        if (loaded.Certificate.NotBefore.ToUniversalTime() > now)
            throw new SettingsException("tls-cert", $"the certificate in '{settings.CertificatePath}' is not valid before {loaded.Certificate.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm} UTC: check the clock");
        return new ServerCertificate(settings, loaded);
    }

    /// <summary>
    /// Starts looking at the files every <see cref="ClientTlsSettings.ReloadInterval"/>, exports
    /// <c>aegis_tls_cert_expiry_seconds</c> to <paramref name="registry"/> and warns in <paramref name="log"/> as expiry nears.
    /// </summary>
    public void Watch(ILogger log, CollectorRegistry registry, IMetricFactory factory)
    {
        _log = log;
        var expiry = factory.CreateGauge("aegis_tls_cert_expiry_seconds", "Seconds until the client TLS certificate expires (negative once it has).");
        registry.AddBeforeCollectCallback(() => expiry.Set((Certificate.NotAfter.ToUniversalTime() - DateTime.UtcNow).TotalSeconds));
        WarnIfExpiring();
        _timer = new Timer(_ => CheckFromTimer(), null, _settings.ReloadInterval, _settings.ReloadInterval);
    }

    /// <inheritdoc />
    public void Dispose() => _timer?.Dispose();

    /// <summary>Reloads the files when they changed since they were read; the timer calls it, tests may too.</summary>
    public void Check()
    {
        // Timer callbacks overlap when a look outlasts the interval: one at a time, so a failed look never puts back
        // the certificate another look has just replaced.
        lock (_checking) CheckFiles();
    }

    private void CheckFiles()
    {
        var current = Volatile.Read(ref _current);
        var stamp = Stamp(_settings);
        if (stamp != current.Stamp)
        {
            try
            {
                var loaded = Read(_settings, stamp);
                Volatile.Write(ref _current, loaded);
                _log?.LogInformation("TLS certificate reloaded from {Path}: subject {Subject}, valid until {NotAfter:yyyy-MM-dd} UTC",
                    _settings.CertificatePath, loaded.Certificate.Subject, loaded.Certificate.NotAfter.ToUniversalTime());
            }
            catch (SettingsException e)
            {
                // A renewal written file by file is seen half done now and then: the next look takes it whole. The stamp
                // is the one taken before this read, so a file finished since then still counts as changed.
                _log?.LogWarning("TLS certificate files changed but could not be loaded; still serving the previous certificate: {Problem}", e.Message);
                Volatile.Write(ref _current, current with { Stamp = stamp });
            }
        }

        WarnIfExpiring();
    }

    // An exception thrown on a timer ends the process: whatever the files hold, the node goes on serving.
    private void CheckFromTimer()
    {
        try
        {
            Check();
        }
        catch (Exception e)
        {
            _log?.LogError(e, "Looking at the TLS certificate files failed; still serving the previous certificate");
        }
    }

    private void WarnIfExpiring()
    {
        var left = Certificate.NotAfter.ToUniversalTime() - DateTime.UtcNow;
        if (left > ExpiryWarning || DateTime.UtcNow - _lastExpiryWarning < TimeSpan.FromDays(1)) return;
        _lastExpiryWarning = DateTime.UtcNow;
        if (left <= TimeSpan.Zero)
            _log?.LogError("The TLS certificate in {Path} has expired: clients refuse it; renew it (it is reloaded without a restart)", _settings.CertificatePath);
        else
            _log?.LogWarning("The TLS certificate in {Path} expires in {Days:F0} days ({NotAfter:yyyy-MM-dd} UTC): renew it (it is reloaded without a restart)",
                _settings.CertificatePath, left.TotalDays, Certificate.NotAfter.ToUniversalTime());
    }

    // The stamp is taken before the files are read: a change while they are read shows at the next look.
    private static Loaded Read(ClientTlsSettings settings, string stamp)
    {
        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPemFile(settings.CertificatePath, settings.KeyPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SettingsException("tls-cert", $"cannot read '{settings.CertificatePath}' or '{settings.KeyPath}': {e.Message}");
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            // A key that is not the certificate's comes as an ArgumentException.
            throw new SettingsException("tls-key", $"'{settings.CertificatePath}' and '{settings.KeyPath}' are not a PEM certificate and its unencrypted private key: {e.Message}");
        }

        // Files after the first certificate are its intermediate CAs, which clients need to build the chain.
        var intermediates = new X509Certificate2Collection();
        foreach (var other in ReadPem("tls-cert", settings.CertificatePath))
            if (other.Thumbprint != certificate.Thumbprint) intermediates.Add(other);
        var ca = settings.CaPath is { } caPath ? ReadPem("tls-ca", caPath) : [];
        if (settings.CaPath is not null && ca.Count == 0) throw new SettingsException("tls-ca", $"'{settings.CaPath}' holds no PEM certificate");
        var context = SslStreamCertificateContext.Create(certificate, intermediates, offline: true);
        return new Loaded(certificate, context, ca, stamp);
    }

    private static X509Certificate2Collection ReadPem(string flag, string path)
    {
        var collection = new X509Certificate2Collection();
        try
        {
            collection.ImportFromPemFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new SettingsException(flag, $"cannot read '{path}': {e.Message}");
        }

        return collection;
    }

    // What tells a changed file: its time and length (a rewrite within one clock tick keeps the time but rarely the length).
    private static string Stamp(ClientTlsSettings settings)
    {
        static string Of(string? path)
        {
            if (path is null) return "";
            var file = new FileInfo(path);
            return file.Exists ? $"{file.LastWriteTimeUtc.Ticks}/{file.Length}" : "missing";
        }

        return $"{Of(settings.CertificatePath)} {Of(settings.KeyPath)} {Of(settings.CaPath)}";
    }

    private sealed record Loaded(X509Certificate2 Certificate, SslStreamCertificateContext Context, X509Certificate2Collection Ca, string Stamp);
}
