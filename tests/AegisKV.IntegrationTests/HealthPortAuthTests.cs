using System.Net;
using System.Net.Http.Headers;

namespace AegisKV.IntegrationTests;

/// <summary>With a token, the health port serves probes to anyone and everything else only with the token.</summary>
public sealed class HealthPortAuthTests() : NodeTests(new() { ["auth-token"] = Token })
{
    private const string Token = "health-port-token-0123456789abcdef";

    private async Task<(HttpStatusCode Status, string Body)> GetAsync(string path, string? token)
    {
        using var http = new HttpClient();
        if (token is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.GetAsync($"http://127.0.0.1:{Node.Node.HealthPort}{path}");
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/metrics")]
    [InlineData("/admin/cluster")]
    [InlineData("/admin/shards")]
    [InlineData("/admin/overview")]
    public async Task Metrics_and_the_admin_API_should_need_the_token(string path)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(path, null)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(path, "wrong")).Status);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(path, Token)).Status);
    }

    [Fact]
    public async Task Probes_should_get_their_status_without_the_token_and_the_details_only_with_it()
    {
        Assert.Equal((HttpStatusCode.OK, """{"live":true}"""), await GetAsync("/live", null));
        Assert.Equal((HttpStatusCode.OK, """{"ready":true}"""), await GetAsync("/ready", null));
        Assert.Equal((HttpStatusCode.OK, """{"status":"healthy"}"""), await GetAsync("/health", null));
        var detailed = await GetAsync("/health", Token);
        Assert.Equal(HttpStatusCode.OK, detailed.Status);
        Assert.Contains("\"member\":\"Up\"", detailed.Body, StringComparison.Ordinal);
    }
}
