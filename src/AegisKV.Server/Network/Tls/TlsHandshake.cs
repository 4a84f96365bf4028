using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using AegisKV.Cluster.Security;
using AegisKV.Server.Configuration;

namespace AegisKV.Server.Network.Tls;

/// <summary>
/// The server side of a client's TLS handshake on an accepted socket: TLS 1.2 or 1.3 only, the node's current
/// certificate, and the client's certificate, when one is asked for, checked against <c>--tls-ca</c> alone.
/// </summary>
public static class TlsHandshake
{
    /// <summary>Runs the handshake within the configured timeout; the stream returned is the connection from then on.</summary>
    /// <exception cref="AuthenticationException">The handshake failed: not TLS, an old protocol, a certificate refused.</exception>
    /// <exception cref="OperationCanceledException">The client took longer than the handshake timeout.</exception>
    /// <exception cref="IOException">The connection broke during the handshake.</exception>
    public static async Task<SslStream> RunAsync(Socket socket, ServerCertificate certificate)
    {
        var settings = certificate.Settings;
        var stream = new SslStream(new NetworkStream(socket, ownsSocket: false), leaveInnerStreamOpen: false);
        try
        {
            using var timeout = new CancellationTokenSource(settings.HandshakeTimeout);
            await stream.AuthenticateAsServerAsync(Options(certificate), timeout.Token).ConfigureAwait(false);
            return stream;
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static SslServerAuthenticationOptions Options(ServerCertificate certificate)
    {
        var settings = certificate.Settings;
        var options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = certificate.Context,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ClientCertificateRequired = settings.ClientAuth != ClientCertificateMode.None,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
        if (settings.ClientAuth == ClientCertificateMode.None) return options;

        var ca = certificate.ClientCa;
        options.RemoteCertificateValidationCallback = (_, presented, sent, _) => presented switch
        {
            null => settings.ClientAuth == ClientCertificateMode.Optional,
            _ => PrivateCa.Signed(presented as X509Certificate2 ?? new X509Certificate2(presented), ca, sent?.ChainPolicy.ExtraStore, PrivateCa.ClientAuthentication),
        };
        return options;
    }
}
