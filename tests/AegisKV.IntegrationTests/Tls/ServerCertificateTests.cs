using AegisKV.Server.Configuration;
using AegisKV.Server.Network.Tls;

namespace AegisKV.IntegrationTests.Tls;

/// <summary>How the node's certificate files are read again while an operator's renewal writes them.</summary>
public sealed class ServerCertificateTests : IDisposable
{
    private readonly TestCertificates _pki = new();

    public void Dispose() => _pki.Dispose();

    // A renewal copies the key, then the certificate. A look between the two fails (the key does not match); the
    // certificate finished while that look read the files must still be taken by the next one.
    [Fact]
    public async Task A_renewal_written_file_by_file_while_the_files_are_looked_at_should_be_taken_by_the_next_look()
    {
        using var served = ServerCertificate.Load(new ClientTlsSettings
        {
            Bind = new NodeEndpoint("127.0.0.1", 0),
            CertificatePath = _pki.NodeCertificatePath,
            KeyPath = _pki.NodeKeyPath,
        });

        for (var renewal = 0; renewal < 40; renewal++)
        {
            var (certificate, key) = _pki.WriteNode("renewed" + renewal, DateTimeOffset.UtcNow.AddDays(30));
            using var stop = new CancellationTokenSource();
            var looking = Task.Run(() =>
            {
                while (!stop.IsCancellationRequested) served.Check();
            });
            _pki.Renew(certificate, key);
            await Task.Delay(2);
            await stop.CancelAsync();
            await looking;

            served.Check();
            Assert.Equal("CN=renewed" + renewal, served.Certificate.Subject);
        }
    }
}
