using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace AegisKV.IntegrationTests;

/// <summary>
/// docs/monitoring: the alert rules pass their promtool unit tests, every Grafana query is valid PromQL, and every
/// series either names is one a node exports.
/// </summary>
public sealed partial class MonitoringDocsTests(SharedNode shared) : IClassFixture<SharedNode>
{
    private static readonly string Docs = Path.Combine(RepositoryRoot(), "docs", "monitoring");

    [SkippableFact]
    public async Task The_alert_rules_should_pass_their_promtool_unit_tests()
    {
        var promtool = Promtool();
        Skip.If(promtool is null, "promtool is not installed (apt-get install prometheus; .ci/run does)");
        var check = await RunAsync(promtool!, "check rules alerts.yml", Docs);
        Assert.True(check.Code == 0, check.Output);
        Assert.Contains("SUCCESS: 12 rules found", check.Output, StringComparison.Ordinal);
        var test = await RunAsync(promtool!, "test rules alerts.test.yml", Docs);
        Assert.True(test.Code == 0, test.Output);
        Assert.Contains("SUCCESS", test.Output, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Every_Grafana_query_should_be_valid_PromQL()
    {
        var promtool = Promtool();
        Skip.If(promtool is null, "promtool is not installed (apt-get install prometheus; .ci/run does)");
        var queries = GrafanaQueries();
        Assert.True(queries.Count >= 20, $"only {queries.Count} queries found");
        // Each query as a recording rule, with Grafana's variables given values, for promtool to parse.
        var rules = "groups:\n  - name: grafana\n    rules:\n" + string.Concat(queries.Select((q, i) =>
            $"      - record: grafana_query_{i}\n        expr: {JsonSerializer.Serialize(Concrete(q))}\n"));
        var file = Path.Combine(Path.GetTempPath(), $"aegis-grafana-{Environment.ProcessId}.yml");
        await File.WriteAllTextAsync(file, rules);
        try
        {
            var check = await RunAsync(promtool!, $"check rules {file}", Docs);
            Assert.True(check.Code == 0, check.Output + "\n" + rules);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Every_series_the_alerts_and_the_dashboard_name_should_be_exported_by_a_node()
    {
        using var http = shared.Node.HealthClient();
        var exported = MetricName().Matches(await http.GetStringAsync(shared.Node.HealthUrl + "/metrics")).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);
        var named = MetricName().Matches(await File.ReadAllTextAsync(Path.Combine(Docs, "alerts.yml"))).Select(m => m.Value)
            .Concat(GrafanaQueries().SelectMany(q => MetricName().Matches(q).Select(m => m.Value)))
            .ToHashSet(StringComparer.Ordinal);
        Assert.True(named.Count >= 20, string.Join(", ", named));
        Assert.Empty(named.Where(name => !exported.Contains(name)).Order());
    }

    private static List<string> GrafanaQueries()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(Docs, "grafana-dashboard.json")));
        var queries = new List<string>();
        foreach (var panel in dashboard.RootElement.GetProperty("panels").EnumerateArray())
            if (panel.TryGetProperty("targets", out var targets))
                foreach (var target in targets.EnumerateArray()) queries.Add(target.GetProperty("expr").GetString()!);
        return queries;
    }

    private static string Concrete(string query) => query
        .Replace("$__rate_interval", "1m", StringComparison.Ordinal)
        .Replace("$job", ".*", StringComparison.Ordinal)
        .Replace("$instance", ".*", StringComparison.Ordinal);

    [GeneratedRegex(@"\baegis_[a-z_]+[a-z]\b")]
    private static partial Regex MetricName();

    private static string? Promtool()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
            if (File.Exists(Path.Combine(dir, "promtool"))) return Path.Combine(dir, "promtool");
        return null;
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, string arguments, string directory)
    {
        var start = new ProcessStartInfo(file, arguments) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(limit.Token);
        return (process.ExitCode, await output + await error);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, "docs", "monitoring"))) return dir.FullName;
        throw new InvalidOperationException("docs/monitoring not found above " + AppContext.BaseDirectory);
    }
}
