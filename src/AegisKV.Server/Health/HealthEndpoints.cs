using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Prometheus;

namespace AegisKV.Server.Health;

/// <summary>Maps <c>/health</c>, <c>/ready</c>, <c>/live</c> and <c>/metrics</c>.</summary>
public static class HealthEndpoints
{
    /// <summary>Adds the endpoints to <paramref name="app"/>.</summary>
    public static void Map(WebApplication app)
    {
        app.MapHealthChecks("/health", Options(HealthTags.Health, "status", ok => ok ? "healthy" : "unhealthy"));
        app.MapHealthChecks("/ready", Options(HealthTags.Ready, "ready", ok => ok));
        app.MapHealthChecks("/live", Options(HealthTags.Live, "live", ok => ok));
        app.MapMetrics("/metrics");
    }

    private static HealthCheckOptions Options<T>(string tag, string field, Func<bool, T> value) => new()
    {
        Predicate = registration => registration.Tags.Contains(tag),
        ResponseWriter = (context, report) => Write(context, report, field, value),
    };

    // {"status":"healthy"} when all is well; failing checks are listed with their reason.
    private static async Task Write<T>(HttpContext context, HealthReport report, string field, Func<bool, T> value)
    {
        var ok = report.Status != HealthStatus.Unhealthy;
        context.Response.ContentType = "application/json";
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WritePropertyName(field);
            JsonSerializer.Serialize(json, value(ok));
            if (!ok)
            {
                json.WriteStartObject("checks");
                foreach (var (name, entry) in report.Entries)
                    if (entry.Status == HealthStatus.Unhealthy) json.WriteString(name, entry.Description ?? entry.Exception?.Message ?? "unhealthy");
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        await context.Response.Body.WriteAsync(buffer.ToArray()).ConfigureAwait(false);
    }
}
