using System.Net.Http.Json;
using System.Text.Json;

namespace AegisKV.IntegrationTests.Tls;

/// <summary><c>/admin/doctor</c>, which <c>aegis doctor</c> prints: a node at its defaults warns; a node secured as docs/security.md says passes every security check.</summary>
public sealed class DoctorTests : IDisposable
{
    private const string Token = "4f6a8c0e1b3d5f7a9c2e4b6d8f0a1c3e-token";
    private const string Secret = "9e1b3d5f7a0c2e4a6c8e0b2d4f6a8c1e-gossip";
    private readonly TestCertificates _pki = new();

    public void Dispose() => _pki.Dispose();

    // One node, so one copy and a cluster of one: those two warn; every security check passes.
    [Fact(Timeout = 60_000)]
    public async Task A_secured_node_should_pass_every_security_check_over_HTTPS()
    {
        var (certificate, key) = _pki.WriteClusterNode("dr-a");
        var flags = new Dictionary<string, string>(_pki.NodeFlags("require"))
        {
            ["bind"] = "none",
            ["auth-token"] = Token,
            ["gossip-secret"] = Secret,
            ["cluster-tls-cert"] = certificate,
            ["cluster-tls-key"] = key,
            ["cluster-tls-ca"] = _pki.CaPath,
        };
        var node = await TestNode.StartAsync(flags);
        try
        {
            Assert.StartsWith("https://", node.HealthUrl, StringComparison.Ordinal);
            using var http = node.HealthClient();
            var report = await http.GetFromJsonAsync<JsonElement>(node.HealthUrl + "/admin/doctor");
            var notPassed = report.GetProperty("checks").EnumerateArray()
                .Where(c => c.GetProperty("status").GetString() != "pass")
                .Select(c => $"{c.GetProperty("check").GetString()}: {c.GetProperty("status").GetString()}")
                .ToList();
            Assert.Equal(["Replication factor: warn", "Cluster size: warn"], notPassed);

            // Without the token, the report is refused.
            using var anonymous = node.HealthClient(token: null);
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await anonymous.GetAsync(node.HealthUrl + "/admin/doctor")).StatusCode);
        }
        finally
        {
            await node.DisposeAsync();
            node.DeleteData();
        }
    }

    [Fact]
    public async Task A_node_at_its_defaults_should_get_warnings_and_no_failure()
    {
        var node = await TestNode.StartAsync();
        try
        {
            using var http = node.HealthClient();
            var report = await http.GetFromJsonAsync<JsonElement>(node.HealthUrl + "/admin/doctor");
            var checks = report.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("check").GetString()!, c => c.GetProperty("status").GetString());
            Assert.DoesNotContain("fail", checks.Values);
            Assert.Equal("warn", checks["Client TLS"]);
            Assert.Equal("warn", checks["Auth token"]);
            Assert.Equal("warn", checks["Node authentication"]);
            Assert.Equal("warn", checks["Replication factor"]);
            Assert.Equal("pass", checks["Data directory"]);
            Assert.Equal("pass", checks["WAL mode"]);
        }
        finally
        {
            await node.DisposeAsync();
            node.DeleteData();
        }
    }
}
