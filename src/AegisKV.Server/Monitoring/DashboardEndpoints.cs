using System.Reflection;
using AegisKV.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AegisKV.Server.Monitoring;

/// <summary>
/// The built-in dashboard on the health port: <c>/dashboard</c> (a page and its script and style, embedded in the
/// binary), <c>/dashboard/events</c> (the cluster overview as server-sent events, one a second),
/// <c>/dashboard/overview</c> (the same, once) and, with an auth token, <c>/dashboard/sign-in</c> and <c>sign-out</c>.
/// </summary>
public static class DashboardEndpoints
{
    private static readonly TimeSpan EventInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan WrongTokenDelay = TimeSpan.FromMilliseconds(500);
    private static readonly byte[] EventStart = "data: "u8.ToArray(), EventEnd = "\n\n"u8.ToArray();

    private static readonly Dictionary<string, string> Assets = new(StringComparer.Ordinal)
    {
        ["dashboard.css"] = "text/css; charset=utf-8",
        ["dashboard.js"] = "text/javascript; charset=utf-8",
    };

    /// <summary>Adds the endpoints to <paramref name="app"/>.</summary>
    public static void Map(WebApplication app)
    {
        app.MapGet("/dashboard", (HttpContext http) =>
            Page(http, DashboardSignIn.IsSignedIn(http) ? "dashboard.html" : "sign-in.html", StatusCodes.Status200OK));
        app.MapGet("/dashboard/{asset}", (HttpContext http, string asset) =>
            Assets.TryGetValue(asset, out var type) ? Asset(http, asset, type) : Results.NotFound());
        app.MapPost("/dashboard/sign-in", async (HttpContext http) =>
        {
            var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false) : null;
            if (DashboardSignIn.TrySignIn(http, form?["token"].ToString())) return Results.Redirect("/dashboard", permanent: false, preserveMethod: false);
            await Task.Delay(WrongTokenDelay, http.RequestAborted).ConfigureAwait(false);
            return Page(http, "sign-in.html", StatusCodes.Status401Unauthorized, "That is not the node's auth token.");
        });
        app.MapPost("/dashboard/sign-out", (HttpContext http) =>
        {
            DashboardSignIn.SignOut(http);
            return Results.Redirect("/dashboard");
        });
        app.MapGet("/dashboard/overview", async (HttpContext http) =>
        {
            if (!DashboardSignIn.IsSignedIn(http)) return Unauthorized();
            var overview = await Overview(http).GetAsync(http.RequestAborted).ConfigureAwait(false);
            return Results.Bytes(OverviewJson.ToUtf8(overview), "application/json");
        });
        app.MapGet("/dashboard/events", async (HttpContext http) =>
        {
            if (!DashboardSignIn.IsSignedIn(http))
            {
                await Unauthorized().ExecuteAsync(http).ConfigureAwait(false);
                return;
            }

            await StreamAsync(http).ConfigureAwait(false);
        });
    }

    // One event a second until the browser goes or the node stops (a stream left open would hold the node's shutdown).
    private static async Task StreamAsync(HttpContext http)
    {
        var stopping = http.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        using var done = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, stopping);
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-store";
        var overview = Overview(http);
        try
        {
            while (!done.IsCancellationRequested)
            {
                var json = OverviewJson.ToUtf8(await overview.GetAsync(done.Token).ConfigureAwait(false));
                await http.Response.Body.WriteAsync(EventStart, done.Token).ConfigureAwait(false);
                await http.Response.Body.WriteAsync(json, done.Token).ConfigureAwait(false);
                await http.Response.Body.WriteAsync(EventEnd, done.Token).ConfigureAwait(false);
                await http.Response.Body.FlushAsync(done.Token).ConfigureAwait(false);
                await Task.Delay(EventInterval, done.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The browser left, or the node stops.
        }
    }

    private static ClusterOverview Overview(HttpContext http) =>
        http.RequestServices.GetRequiredService<NodeService>().Overview ?? throw new InvalidOperationException("the node has not started yet");

    private static IResult Unauthorized() =>
        Results.Json(new { error = "sign in at /dashboard, or send Authorization: Bearer <auth token>" }, statusCode: StatusCodes.Status401Unauthorized);

    private static IResult Page(HttpContext http, string name, int status, string? error = null)
    {
        var signOut = http.RequestServices.GetRequiredService<Configuration.NodeSettings>().AuthToken is null
            ? ""
            : """<form method="post" action="/dashboard/sign-out"><button type="submit">Sign out</button></form>""";
        var html = Read(name)
            .Replace("{{error}}", System.Net.WebUtility.HtmlEncode(error ?? ""), StringComparison.Ordinal)
            .Replace("{{sign-out}}", signOut, StringComparison.Ordinal);
        http.Response.Headers.CacheControl = "no-store";
        return Results.Content(html, "text/html; charset=utf-8", System.Text.Encoding.UTF8, status);
    }

    private static IResult Asset(HttpContext http, string name, string type)
    {
        http.Response.Headers.CacheControl = "no-cache";
        return Results.Text(Read(name), type);
    }

    private static string Read(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("dashboard/" + name)
                           ?? throw new InvalidOperationException($"dashboard asset {name} is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
