using System.Diagnostics;
using AegisKV.Server.Configuration;
using StackExchange.Redis;

namespace AegisKV.IntegrationTests.Tls;

/// <summary>Client TLS (<c>--tls-cert</c>, <c>--tls-key</c>, <c>--tls-bind</c>, <c>--tls-client-auth</c>) as clients meet it.</summary>
public sealed class ClientTlsTests : IDisposable
{
    private const string Ping = "*1\r\n$4\r\nPING\r\n";
    private readonly TestCertificates _pki = new();

    public void Dispose() => _pki.Dispose();

    [Fact]
    public async Task StackExchange_Redis_with_ssl_should_be_served_while_plain_text_on_the_TLS_port_is_refused()
    {
        var node = await TestNode.StartAsync(_pki.NodeFlags());
        try
        {
            var options = new ConfigurationOptions { EndPoints = { { "127.0.0.1", node.Node.TlsPort } }, Ssl = true, SslHost = "localhost" };
            options.CertificateValidation += (_, certificate, _, _) => _pki.IsSignedByCa(certificate);
            await using (var redis = await ConnectionMultiplexer.ConnectAsync(options))
            {
                var db = redis.GetDatabase();
                var value = new string('v', 100_000);
                await db.StringSetAsync("tls:k", value);
                Assert.Equal(value, await db.StringGetAsync("tls:k"));
            }

            // The plain listener goes on beside it.
            Assert.Equal("+PONG\r\n", await RawClient.SessionAsync(node.Node.ClientPort, "PING\r\n"));
            Assert.DoesNotContain("PONG", await PlainOnTlsPortAsync(node.Node.TlsPort), StringComparison.Ordinal);
            var metrics = await node.MetricsAsync();
            Assert.True(metrics["aegis_tls_handshake_failures_total"] >= 1);
            Assert.InRange(metrics["aegis_tls_cert_expiry_seconds"], TimeSpan.FromDays(364).TotalSeconds, TimeSpan.FromDays(365).TotalSeconds);
        }
        finally
        {
            await node.DisposeAsync();
            node.DeleteData();
        }
    }

    [Fact]
    public async Task With_client_certificates_required_only_clients_with_one_the_CA_signed_should_be_served()
    {
        var node = await TestNode.StartAsync(new(_pki.NodeFlags("require")) { ["bind"] = "none" });
        try
        {
            Assert.Equal(node.Node.TlsPort, node.Node.ClientPort);
            Assert.Equal("+PONG\r\n", (await TlsClient.SendAsync(node.Node.TlsPort, _pki, Ping, 7, _pki.Client)).Reply);
            Assert.Null((await TlsClient.SendAsync(node.Node.TlsPort, _pki, Ping, 7)).Reply);
            Assert.Null((await TlsClient.SendAsync(node.Node.TlsPort, _pki, Ping, 7, _pki.ForeignClient)).Reply);

            var options = new ConfigurationOptions { EndPoints = { { "127.0.0.1", node.Node.TlsPort } }, Ssl = true, SslHost = "localhost" };
            options.CertificateValidation += (_, certificate, _, _) => _pki.IsSignedByCa(certificate);
            options.CertificateSelection += delegate { return _pki.Client; };
            await using var redis = await ConnectionMultiplexer.ConnectAsync(options);
            Assert.True(await redis.GetDatabase().StringSetAsync("mtls:k", "v"));
        }
        finally
        {
            await node.DisposeAsync();
            node.DeleteData();
        }
    }

    [Fact]
    public async Task With_client_certificates_optional_a_client_without_one_should_be_served_and_one_with_a_foreign_one_refused()
    {
        var node = await TestNode.StartAsync(_pki.NodeFlags("optional"));
        try
        {
            Assert.Equal("+PONG\r\n", (await TlsClient.SendAsync(node.Node.TlsPort, _pki, Ping, 7)).Reply);
            Assert.Equal("+PONG\r\n", (await TlsClient.SendAsync(node.Node.TlsPort, _pki, Ping, 7, _pki.Client)).Reply);
            Assert.Null((await TlsClient.SendAsync(node.Node.TlsPort, _pki, Ping, 7, _pki.ForeignClient)).Reply);
        }
        finally
        {
            await node.DisposeAsync();
            node.DeleteData();
        }
    }

    [Fact]
    public async Task A_renewed_certificate_should_be_served_to_new_connections_without_a_restart()
    {
        var node = await TestNode.StartAsync(_pki.NodeFlags(), configFile: WriteConfig("aegis.tls.reload-interval = 200ms"));
        try
        {
            var (_, before) = await TlsClient.SendAsync(node.Node.TlsPort, _pki, Ping, 7);
            Assert.Equal("CN=node", before!.Subject);
            var (certificate, key) = _pki.WriteNode("renewed", DateTimeOffset.UtcNow.AddDays(20));
            _pki.Renew(certificate, key);

            var watch = Stopwatch.StartNew();
            string? seen = null;
            while (watch.Elapsed < TimeSpan.FromSeconds(10))
            {
                var (reply, presented) = await TlsClient.SendAsync(node.Node.TlsPort, _pki, Ping, 7);
                Assert.Equal("+PONG\r\n", reply);
                seen = presented!.Subject;
                if (seen == "CN=renewed") break;
                await Task.Delay(100);
            }

            Assert.Equal("CN=renewed", seen);
            Assert.InRange((await node.MetricsAsync())["aegis_tls_cert_expiry_seconds"], TimeSpan.FromDays(19).TotalSeconds, TimeSpan.FromDays(20).TotalSeconds);
        }
        finally
        {
            await node.DisposeAsync();
            node.DeleteData();
        }
    }

    // The acceptance check as an operator types it: redis-cli --tls --cacert, and --cert/--key where certificates are required.
    [SkippableFact]
    public async Task Redis_cli_with_tls_and_the_CA_should_be_served_and_without_its_certificate_refused_where_one_is_required()
    {
        Skip.IfNot(File.Exists("/usr/bin/redis-cli"), "redis-cli is not installed (apt-get install redis-tools)");
        var node = await TestNode.StartAsync(_pki.NodeFlags("require"));
        try
        {
            string[] tls = ["-h", "127.0.0.1", "-p", node.Node.TlsPort.ToString(), "--tls", "--cacert", _pki.CaPath];
            Assert.Equal("OK", await RedisCliAsync([.. tls, "--cert", _pki.ClientCertificatePath, "--key", _pki.ClientKeyPath, "SET", "cli:tls", "v"]));
            Assert.Equal("v", await RedisCliAsync([.. tls, "--cert", _pki.ClientCertificatePath, "--key", _pki.ClientKeyPath, "GET", "cli:tls"]));
            // The refusal shows as "Server closed the connection" or "Connection reset by peer", as the timing falls.
            Assert.StartsWith("Error: ", await RedisCliAsync([.. tls, "GET", "cli:tls"]), StringComparison.Ordinal);
            Assert.StartsWith("Error: ", await RedisCliAsync(["-h", "127.0.0.1", "-p", node.Node.TlsPort.ToString(), "PING"]), StringComparison.Ordinal);
        }
        finally
        {
            await node.DisposeAsync();
            node.DeleteData();
        }
    }

    [Fact]
    public void Incomplete_or_contradictory_TLS_settings_should_be_refused_naming_the_flag()
    {
        static string Refusal(Dictionary<string, string> flags) =>
            Assert.Throws<SettingsException>(() => NodeConfigLoader.Load(flags, null, new Dictionary<string, string>())).Message;

        Assert.Equal("--tls-key: --tls-cert needs its private key: give --tls-key",
            Refusal(new() { ["tls-cert"] = _pki.NodeCertificatePath, ["tls-bind"] = "127.0.0.1:0" }));
        Assert.StartsWith("--tls-bind: give the address TLS clients connect to", Refusal(new() { ["tls-cert"] = "c", ["tls-key"] = "k" }), StringComparison.Ordinal);
        Assert.Equal("--tls-client-auth: client certificates are checked against --tls-ca: give the CA that signs them",
            Refusal(new() { ["tls-cert"] = "c", ["tls-key"] = "k", ["tls-bind"] = ":7703", ["tls-client-auth"] = "require" }));
        Assert.StartsWith("--bind: 'none' turns plain connections off, which needs a TLS listener", Refusal(new() { ["bind"] = "none" }), StringComparison.Ordinal);
        Assert.StartsWith("--tls-key: needs --tls-cert", Refusal(new() { ["tls-key"] = "k" }), StringComparison.Ordinal);
        Assert.Equal("--tls-client-auth: expected none, optional or require, got 'maybe'", Refusal(new() { ["tls-client-auth"] = "maybe" }));
    }

    [Fact]
    public async Task A_missing_key_or_an_expired_certificate_should_stop_the_start_with_one_line()
    {
        var missing = await Assert.ThrowsAsync<SettingsException>(() => TestNode.StartAsync(new(_pki.NodeFlags()) { ["tls-key"] = _pki.NodeKeyPath + ".gone" }));
        Assert.StartsWith("--tls-cert: cannot read", missing.Message, StringComparison.Ordinal);
        var (certificate, key) = _pki.WriteNode("expired", DateTimeOffset.UtcNow.AddMinutes(-1));
        var expired = await Assert.ThrowsAsync<SettingsException>(() => TestNode.StartAsync(new(_pki.NodeFlags()) { ["tls-cert"] = certificate, ["tls-key"] = key }));
        Assert.Matches("^--tls-cert: the certificate in '.*expired.crt' expired on .* UTC: renew it$", expired.Message);
    }

    // Its output, standard error included, trimmed; it is given 10 s.
    private static async Task<string> RedisCliAsync(string[] arguments)
    {
        var start = new ProcessStartInfo("/usr/bin/redis-cli") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw;
        }

        return ((await output) + (await error)).Trim();
    }

    // What a plain-text client reads from the TLS port: never a reply.
    private static async Task<string> PlainOnTlsPortAsync(int port)
    {
        try
        {
            return await RawClient.SessionAsync(port, "PING\r\n");
        }
        catch (System.Net.Sockets.SocketException e)
        {
            return e.SocketErrorCode.ToString();
        }
    }

    private string WriteConfig(string hocon)
    {
        var path = Path.Combine(_pki.Root, "aegis.conf");
        File.WriteAllText(path, hocon);
        return path;
    }
}
