using System.Net;
using AegisKV.Server.Configuration;
using AegisKV.Server.Network.Tls;

namespace AegisKV.Server.Health;

/// <summary>
/// Where Kestrel serves the health port (<c>--health</c>). With client TLS on, it speaks HTTPS with the node's
/// certificate, renewed with it: the token that <c>/metrics</c> and <c>/admin</c> ask for never crosses in clear.
/// </summary>
internal static class HealthListener
{
    /// <summary>Listens on <paramref name="endpoint"/>, over HTTPS when <paramref name="certificate"/> is given.</summary>
    public static void Listen(Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions kestrel, NodeEndpoint endpoint, ServerCertificate? certificate)
    {
        void Configure(Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions listen)
        {
            if (certificate is null) return;
            listen.UseHttps(new Microsoft.AspNetCore.Server.Kestrel.Https.HttpsConnectionAdapterOptions
            {
                ServerCertificateSelector = (_, _) => certificate.Certificate,
                SslProtocols = System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13,
            });
        }

        if (endpoint.IsAnyAddress) kestrel.ListenAnyIP(endpoint.Port, Configure);
        else if (endpoint.Host == "localhost") kestrel.ListenLocalhost(endpoint.Port, Configure);
        else if (IPAddress.TryParse(endpoint.Host, out var address)) kestrel.Listen(address, endpoint.Port, Configure);
        else kestrel.Listen(Dns.GetHostAddresses(endpoint.Host)[0], endpoint.Port, Configure);
    }
}
