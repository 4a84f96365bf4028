using System.Diagnostics;
using AegisKV.ProcessTests.AspNetCore;
using PuppeteerSharp;
using Xunit.Abstractions;

namespace AegisKV.ProcessTests;

/// <summary>
/// The operator's views of a three-node cluster: the built-in dashboard in a real browser (Debian's Chromium, headless,
/// driven over the DevTools protocol), and <c>aegis top --once</c>.
/// </summary>
[Collection(nameof(ThreeNodeCluster))]
public sealed class DashboardTests(ThreeNodeFixture aegis, ITestOutputHelper output)
{
    private static readonly int Shards = int.Parse(Limits.NodeFlags[Array.IndexOf(Limits.NodeFlags, "--shards") + 1], System.Globalization.CultureInfo.InvariantCulture);

    [SkippableFact(Timeout = 150_000)]
    public async Task The_dashboard_should_show_every_member_and_shard_and_follow_a_node_that_leaves()
    {
        var chromium = FindChromium();
        Skip.If(chromium is null, "no Chromium to drive: install Debian's chromium package (.ci/run does), or name one in AEGIS_CHROMIUM");
        using var budget = new CancellationTokenSource(TimeSpan.FromSeconds(140));
        var cluster = aegis.Cluster;
        await aegis.StartAllAndSettleAsync(budget.Token);
        var ids = Enumerable.Range(0, cluster.Size).Select(cluster.NodeId).ToArray();

        await using var browser = await Puppeteer.LaunchAsync(new LaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            // Root in a container: Chromium's sandbox needs user namespaces it may not get; /dev/shm may be small.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
        await using var page = await browser.NewPageAsync();
        await page.SetViewportAsync(new ViewPortOptions { Width = 1400, Height = 800 });
        var response = await page.GoToAsync($"http://127.0.0.1:{cluster[0].HealthPort}/dashboard");
        Assert.Equal(System.Net.HttpStatusCode.OK, response.Status);

        // Every member Up, and every shard drawn in the colour of a member (the cluster may still be placing them).
        await WaitForAsync(page, $$"""
            () => {
              const rows = [...document.querySelectorAll('#members tbody tr')];
              const cells = [...document.querySelectorAll('#shards .shard')];
              return rows.length === 3 && rows.every(r => r.dataset.status === 'Up')
                && cells.length === {{Shards}} && cells.every(c => c.dataset.owner !== '' && c.dataset.state === 'serving');
            }
            """, TimeSpan.FromSeconds(60), "3 members Up and every shard serving");
        var members = await page.EvaluateExpressionAsync<string[]>("[...document.querySelectorAll('#members tbody tr')].map(r => r.dataset.node)");
        Assert.Equal(ids.Order(), members.Order());
        var owners = await page.EvaluateExpressionAsync<string[]>("[...document.querySelectorAll('#shards .shard')].map(c => c.dataset.owner)");
        Assert.All(owners, owner => Assert.Contains(owner, ids));
        var shot = await ScreenshotAsync(page, "dashboard-3-nodes.png");

        // A node leaves (SIGTERM: it hands its shards off and leaves the cluster); the open page follows by itself.
        var leaving = cluster.Size - 1;
        var watch = Stopwatch.StartNew();
        cluster[leaving].Terminate();
        await WaitForAsync(page, $$"""
            () => {
              const rows = [...document.querySelectorAll('#members tbody tr')];
              const cells = [...document.querySelectorAll('#shards .shard')];
              return rows.length === 2 && !rows.some(r => r.dataset.node === '{{ids[leaving]}}')
                && cells.length === {{Shards}} && cells.every(c => c.dataset.owner !== '' && c.dataset.owner !== '{{ids[leaving]}}');
            }
            """, TimeSpan.FromSeconds(60), $"{ids[leaving]} gone from the members and from every shard");
        var followed = watch.Elapsed;
        var after = await ScreenshotAsync(page, "dashboard-after-a-node-left.png");
        await cluster[leaving].WaitForExitAsync(TimeSpan.FromSeconds(45), budget.Token);
        // Started again by the next test that needs every node.
        await cluster.ForgetAsync(leaving);
        Figures.Report(output, nameof(The_dashboard_should_show_every_member_and_shard_and_follow_a_node_that_leaves),
            $"3 members and {Shards} shards shown; after {ids[leaving]} left, the page showed 2 members and its shards elsewhere in {followed.TotalSeconds:0.0} s, without a reload; screenshots: {shot}, {after}");
    }

    [Fact(Timeout = 120_000)]
    public async Task Aegis_top_once_should_print_every_member_with_its_figures()
    {
        using var budget = new CancellationTokenSource(TimeSpan.FromSeconds(110));
        var cluster = aegis.Cluster;
        await aegis.StartAllAndSettleAsync(budget.Token);
        var ids = Enumerable.Range(0, cluster.Size).Select(cluster.NodeId).ToArray();
        string frame;
        while (true)
        {
            await using var top = await AegisProcess.RunAsync(["top", "--once", "--node", $"127.0.0.1:{cluster[1].HealthPort}"], TimeSpan.FromSeconds(20), budget.Token);
            Assert.True(top.ExitCode == 0, top.StandardError);
            frame = top.StandardOutput;
            // A node started again by this test may still be joining: wait for the frame of the whole cluster.
            if (ids.All(id => frame.Split('\n').Any(line => line.StartsWith(id + " ", StringComparison.Ordinal) && line.Contains(" Up ", StringComparison.Ordinal)))
                && frame.Contains($"3 members, leader node-", StringComparison.Ordinal)) break;
            await Task.Delay(500, budget.Token);
        }

        Assert.Contains($"{Shards} shards", frame, StringComparison.Ordinal);
        Assert.Contains("NODE", frame, StringComparison.Ordinal);
        Assert.Contains("OPS/S", frame, StringComparison.Ordinal);
        Assert.Contains("FSYNC P99", frame, StringComparison.Ordinal);
        Figures.Report(output, nameof(Aegis_top_once_should_print_every_member_with_its_figures), frame);
    }

    private static async Task WaitForAsync(IPage page, string condition, TimeSpan timeout, string what)
    {
        try
        {
            await page.WaitForFunctionAsync(condition, new WaitForFunctionOptions { Timeout = (int)timeout.TotalMilliseconds, PollingInterval = 250 });
        }
        catch (WaitTaskTimeoutException)
        {
            var text = await page.EvaluateExpressionAsync<string>("document.body.innerText");
            Assert.Fail($"the dashboard did not show {what} within {timeout.TotalSeconds:0} s; it shows:\n{text}");
        }
    }

    // Next to the test results: TestResults beside the test project, where dotnet test writes its own.
    private static async Task<string> ScreenshotAsync(IPage page, string name)
    {
        var directory = Path.Combine(ProjectDirectory(), "TestResults");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name);
        await page.ScreenshotAsync(path, new ScreenshotOptions { FullPage = true });
        return path;
    }

    private static string ProjectDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (dir.GetFiles("*.csproj").Length > 0) return dir.FullName;
        return AppContext.BaseDirectory;
    }

    private static string? FindChromium()
    {
        if (Environment.GetEnvironmentVariable("AEGIS_CHROMIUM") is { Length: > 0 } named) return File.Exists(named) ? named : null;
        foreach (var name in new[] { "chromium", "chromium-browser", "google-chrome" })
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
                if (File.Exists(Path.Combine(dir, name))) return Path.Combine(dir, name);
        return null;
    }
}
