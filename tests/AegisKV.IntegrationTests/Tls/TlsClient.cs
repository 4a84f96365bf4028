using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace AegisKV.IntegrationTests.Tls;

/// <summary>A bare TLS client that trusts only the test CA, as a client configured with <c>--cacert</c> does.</summary>
public static class TlsClient
{
    /// <summary>
    /// Connects, runs the handshake (showing <paramref name="certificate"/> when given), sends <paramref name="input"/>
    /// and reads until <paramref name="expected"/> bytes came back. Null when the server refused or cut the connection
    /// (with TLS 1.3 a refused client certificate shows only on the first read); the certificate the node presented is
    /// returned too.
    /// </summary>
    public static async Task<(string? Reply, X509Certificate2? Presented)> SendAsync(int port, TestCertificates pki, string input, int expected,
        X509Certificate2? certificate = null)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        X509Certificate2? presented = null;
        await using var tls = new SslStream(tcp.GetStream(), false, (_, cert, _, _) =>
        {
            presented = cert is null ? null : new X509Certificate2(cert);
            return pki.IsSignedByCa(cert);
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                ClientCertificates = certificate is null ? null : [certificate],
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            }, timeout.Token);
            await tls.WriteAsync(Encoding.ASCII.GetBytes(input), timeout.Token);
            var buffer = new byte[expected];
            var read = 0;
            while (read < expected)
            {
                var count = await tls.ReadAsync(buffer.AsMemory(read), timeout.Token);
                if (count == 0) return (null, presented);
                read += count;
            }

            return (Encoding.ASCII.GetString(buffer, 0, read), presented);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or SocketException)
        {
            return (null, presented);
        }
    }
}
