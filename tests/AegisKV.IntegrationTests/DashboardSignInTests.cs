using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace AegisKV.IntegrationTests;

/// <summary>
/// With a token, the dashboard asks a browser to sign in once (an <c>EventSource</c> cannot send a header) and then
/// knows it by an HttpOnly cookie; the cookie opens the dashboard only, never the admin API.
/// </summary>
public sealed class DashboardSignInTests() : NodeTests(new() { ["auth-token"] = Token })
{
    private const string Token = "dashboard-token-0123456789abcdef0123";

    private string Url(string path) => $"http://127.0.0.1:{Node.Node.HealthPort}{path}";

    private static HttpClient Browser(CookieContainer cookies) =>
        new(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(20) };

    [Fact]
    public async Task Without_signing_in_the_dashboard_should_offer_the_sign_in_form_and_nothing_of_the_cluster()
    {
        using var browser = Browser(new CookieContainer());
        var page = await browser.GetStringAsync(Url("/dashboard"));
        Assert.Contains("action=\"/dashboard/sign-in\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("dashboard.js", page, StringComparison.Ordinal);
        foreach (var path in new[] { "/dashboard/overview", "/dashboard/events", "/admin/overview" })
        {
            using var response = await browser.GetAsync(Url(path));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }

    [Fact]
    public async Task A_wrong_token_should_be_refused_and_set_no_cookie()
    {
        var cookies = new CookieContainer();
        using var browser = Browser(cookies);
        using var response = await browser.PostAsync(Url("/dashboard/sign-in"), new FormUrlEncodedContent([KeyValuePair.Create("token", "not-the-token")]));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("not the node&#39;s auth token", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(cookies.GetAllCookies());
    }

    [Fact]
    public async Task Signing_in_should_set_an_HttpOnly_cookie_that_opens_the_dashboard_and_its_event_stream_but_not_the_admin_API()
    {
        var cookies = new CookieContainer();
        using var browser = Browser(cookies);
        using (var signIn = await browser.PostAsync(Url("/dashboard/sign-in"), new FormUrlEncodedContent([KeyValuePair.Create("token", Token)])))
        {
            Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
            Assert.Equal("/dashboard", signIn.Headers.Location?.OriginalString);
            var setCookie = Assert.Single(signIn.Headers.GetValues("Set-Cookie"));
            Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("path=/dashboard", setCookie, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(Token, setCookie, StringComparison.Ordinal);
        }

        Assert.Contains("dashboard.js", await browser.GetStringAsync(Url("/dashboard")), StringComparison.Ordinal);
        using var overview = JsonDocument.Parse(await browser.GetStringAsync(Url("/dashboard/overview")));
        var member = Assert.Single(overview.RootElement.GetProperty("members").EnumerateArray());
        Assert.Equal(JsonValueKind.Object, member.GetProperty("figures").ValueKind);
        Assert.Equal(Node.Node.Settings.Shards, overview.RootElement.GetProperty("shards").GetArrayLength());

        // The stream's first event is the same overview.
        using (var events = await browser.GetAsync(Url("/dashboard/events"), HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal("text/event-stream", events.Content.Headers.ContentType?.MediaType);
            using var reader = new StreamReader(await events.Content.ReadAsStreamAsync());
            var line = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.StartsWith("data: {", line, StringComparison.Ordinal);
            using var first = JsonDocument.Parse(line!["data: ".Length..]);
            Assert.Single(first.RootElement.GetProperty("members").EnumerateArray());
        }

        // The cookie is not a bearer token: the admin API (and its verbs) still need the header.
        using (var admin = new HttpRequestMessage(HttpMethod.Get, Url("/admin/overview")))
        {
            admin.Headers.Add("Cookie", cookies.GetCookieHeader(new Uri(Url("/dashboard"))));
            using var refused = await browser.SendAsync(admin);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using (var bearer = new HttpRequestMessage(HttpMethod.Get, Url("/admin/overview")))
        {
            bearer.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
            using var allowed = await browser.SendAsync(bearer);
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        using (var signOut = await browser.PostAsync(Url("/dashboard/sign-out"), null))
            Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        using var afterSignOut = await browser.GetAsync(Url("/dashboard/overview"));
        Assert.Equal(HttpStatusCode.Unauthorized, afterSignOut.StatusCode);
    }
}
