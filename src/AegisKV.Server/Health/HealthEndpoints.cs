using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Prometheus;

namespace AegisKV.Server.Health;

/// <summary>
/// Maps <c>/health</c>, <c>/ready</c>, <c>/live</c> and <c>/metrics</c>. With <c>--auth-token</c>, <c>/metrics</c> needs
/// <c>Authorization: Bearer TOKEN</c>, and the health endpoints give their status to anyone (probes send no token) but
/// the checks behind it, and the node's membership, only with the token.
/// </summary>
public static class HealthEndpoints
{
    /// <summary>Adds the endpoints to <paramref name="app"/>.</summary>
    public static void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/metrics") && !Admin.TokenCheck.IsAuthorized(context))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                await context.Response.WriteAsJsonAsync(new { error = "Authorization: Bearer <auth token> required" }).ConfigureAwait(false);
                return;
            }

            await next(context).ConfigureAwait(false);
        });
        // A degraded node (e.g. WAL not writable: reads served, writes refused) is up but not ready.
        app.MapHealthChecks("/health", Options(HealthTags.Health, "status", status => status switch
        {
            HealthStatus.Healthy => "healthy",
            HealthStatus.Degraded => "degraded",
            _ => "unhealthy",
        }, okWhenDegraded: true, WriteMember));
        app.MapHealthChecks("/ready", Options(HealthTags.Ready, "ready", status => status == HealthStatus.Healthy, okWhenDegraded: false));
        app.MapHealthChecks("/live", Options(HealthTags.Live, "live", status => status != HealthStatus.Unhealthy, okWhenDegraded: true));
        app.MapMetrics("/metrics", app.Services.GetRequiredService<Metrics.NodeMetrics>().Registry);
    }

    // The node's id and its membership status as it sees itself (Joining, Up, Leaving, Exiting, Down, Removed).
    private static void WriteMember(Utf8JsonWriter json, HttpContext context)
    {
        json.WriteString("nodeId", context.RequestServices.GetRequiredService<Configuration.NodeSettings>().NodeId);
        var system = context.RequestServices.GetService<Akka.Actor.ActorSystem>();
        json.WriteString("member", system is null ? "starting" : Akka.Cluster.Cluster.Get(system).SelfMember.Status.ToString());
    }

    private static HealthCheckOptions Options<T>(string tag, string field, Func<HealthStatus, T> value, bool okWhenDegraded,
        Action<Utf8JsonWriter, HttpContext>? more = null) => new()
    {
        Predicate = registration => registration.Tags.Contains(tag),
        ResultStatusCodes =
        {
            [HealthStatus.Healthy] = StatusCodes.Status200OK,
            [HealthStatus.Degraded] = okWhenDegraded ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable,
            [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
        },
        ResponseWriter = (context, report) => Write(context, report, field, value, more),
    };

    // {"status":"healthy"} when all is well; checks that are not are listed with their reason.
    private static async Task Write<T>(HttpContext context, HealthReport report, string field, Func<HealthStatus, T> value,
        Action<Utf8JsonWriter, HttpContext>? more)
    {
        var ok = report.Status == HealthStatus.Healthy;
        var detailed = Admin.TokenCheck.IsAuthorized(context);
        context.Response.ContentType = "application/json";
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WritePropertyName(field);
            JsonSerializer.Serialize(json, value(report.Status));
            if (detailed) more?.Invoke(json, context);
            if (!ok && detailed)
            {
                json.WriteStartObject("checks");
                foreach (var (name, entry) in report.Entries)
                    if (entry.Status != HealthStatus.Healthy) json.WriteString(name, entry.Description ?? entry.Exception?.Message ?? entry.Status.ToString().ToLowerInvariant());
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        await context.Response.Body.WriteAsync(buffer.ToArray()).ConfigureAwait(false);
    }
}
