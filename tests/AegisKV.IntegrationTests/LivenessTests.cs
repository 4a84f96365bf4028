using AegisKV.Server.Health;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AegisKV.IntegrationTests;

/// <summary>/live says whether the node can serve, so an orchestrator restarts one that cannot.</summary>
public sealed class LivenessTests
{
    [Theory]
    // Everything ran within the last seconds.
    [InlineData(1, 1, null, "serving")]
    // The thread pool ran nothing for longer than the limit.
    [InlineData(11, 1, null, "thread pool starved: no work item ran for 11 s")]
    // The actor system handled no message for longer than the limit.
    [InlineData(1, 12, null, "actor system unresponsive: no message handled for 12 s")]
    // An OutOfMemoryException anywhere means the process should be replaced.
    [InlineData(1, 1, "Insufficient memory", "out of memory: Insufficient memory")]
    public void The_probe_should_judge_from_what_ran_last(int poolIdleSeconds, int actorsIdleSeconds, string? outOfMemory, string expected)
    {
        var result = LivenessProbe.Judge(TimeSpan.FromSeconds(poolIdleSeconds), TimeSpan.FromSeconds(actorsIdleSeconds), outOfMemory);
        Assert.Equal(expected, result.Description);
        Assert.Equal(expected == "serving" ? HealthStatus.Healthy : HealthStatus.Unhealthy, result.Status);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_serving_node_should_be_live()
    {
        await using var node = await TestNode.StartAsync();
        using var http = new HttpClient();
        await Task.Delay(1500);
        var response = await http.GetAsync($"http://127.0.0.1:{node.Node.HealthPort}/live");
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{\"live\":true}", await response.Content.ReadAsStringAsync());
        await node.StopAndDeleteDataAsync();
    }
}
