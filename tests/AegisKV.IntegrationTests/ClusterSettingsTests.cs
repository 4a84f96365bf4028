namespace AegisKV.IntegrationTests;

/// <summary>The cluster's timing settings come from the node's --config file where it sets them.</summary>
public sealed class ClusterSettingsTests
{
    [Fact(Timeout = 60_000)]
    public async Task The_config_file_should_set_the_split_brain_resolver_and_the_failure_detector()
    {
        var file = TestData.NewPath(".conf");
        await File.WriteAllTextAsync(file, """
            akka.cluster.split-brain-resolver.stable-after = 7s
            akka.cluster.down-removal-margin = 3s
            akka.cluster.failure-detector.acceptable-heartbeat-pause = 4s
            """);
        try
        {
            await using var node = await TestNode.StartAsync(configFile: file);
            var config = node.Node.System.Settings.Config;

            Assert.Equal(TimeSpan.FromSeconds(7), config.GetTimeSpan("akka.cluster.split-brain-resolver.stable-after"));
            Assert.Equal(TimeSpan.FromSeconds(3), config.GetTimeSpan("akka.cluster.down-removal-margin"));
            Assert.Equal(TimeSpan.FromSeconds(4), config.GetTimeSpan("akka.cluster.failure-detector.acceptable-heartbeat-pause"));
            Assert.Equal("keep-majority", config.GetString("akka.cluster.split-brain-resolver.active-strategy"));
            await node.StopAndDeleteDataAsync();
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Without_a_file_the_split_brain_resolver_should_wait_20_s_of_stable_membership()
    {
        await using var node = await TestNode.StartAsync();

        Assert.Equal(TimeSpan.FromSeconds(20), node.Node.System.Settings.Config.GetTimeSpan("akka.cluster.split-brain-resolver.stable-after"));
        await node.StopAndDeleteDataAsync();
    }
}
