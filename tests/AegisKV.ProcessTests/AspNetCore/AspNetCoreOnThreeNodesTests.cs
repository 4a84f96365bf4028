using Microsoft.AspNetCore.DataProtection;
using StackExchange.Redis;

namespace AegisKV.ProcessTests.AspNetCore;

/// <summary>
/// The DataProtection key ring and the SignalR backplane on a cluster of three real nodes, through stops and restarts;
/// each test starts first whatever node an earlier one left stopped.
/// </summary>
[Collection(nameof(ThreeNodeCluster))]
public sealed class AspNetCoreOnThreeNodesTests(ThreeNodeFixture aegis)
{
    [Fact(Timeout = 120_000)]
    public async Task A_key_ring_kept_in_AegisKV_should_survive_a_restart_of_every_node()
    {
        using var budget = new CancellationTokenSource(TimeSpan.FromSeconds(110));
        var cluster = aegis.Cluster;
        await aegis.StartAllAndSettleAsync(budget.Token);
        var ports = aegis.Configuration;
        string secret;
        await using (var first = await DataProtectionApps.StartAsync(ports))
        await using (var second = await DataProtectionApps.StartAsync(ports))
        {
            secret = DataProtectionApps.Protector(first).Protect("order 42: paid");
            Assert.Equal("order 42: paid", DataProtectionApps.Protector(second).Unprotect(secret));
        }

        // Every node goes down at once (kill -9: nothing is handed off on the way out) and starts again with its data directory.
        for (var i = 0; i < cluster.Size; i++) cluster[i].Kill();
        for (var i = 0; i < cluster.Size; i++)
        {
            await cluster[i].WaitForExitAsync(Limits.Reap, budget.Token);
            await cluster.ForgetAsync(i);
        }

        await cluster.StartAllAsync(budget.Token);
        await KeyRingReadableAsync(budget.Token);
        await using var third = await DataProtectionApps.StartAsync(aegis.Configuration);
        Assert.Equal("order 42: paid", DataProtectionApps.Protector(third).Unprotect(secret));
    }

    [Fact(Timeout = 120_000)]
    public async Task A_SignalR_message_should_reach_a_client_of_another_instance_also_after_the_channels_node_stops()
    {
        using var budget = new CancellationTokenSource(TimeSpan.FromSeconds(110));
        var cluster = aegis.Cluster;
        await aegis.StartAllAndSettleAsync(budget.Token);
        await using var sender = await SignalRApps.StartAsync(aegis.Configuration);
        await using var receiver = await SignalRApps.StartAsync(aegis.Configuration);
        await using var client = await AspNetApps.ConnectAsync(receiver, budget.Token);
        await SignalRApps.DeliveredAsync(sender, client, "before", budget.Token);

        // The node serving the slot of Clients.All's channel: where StackExchange.Redis subscribes and publishes it.
        var holder = await HolderOfAsync(SignalRApps.AllChannel);
        cluster[holder].Terminate();
        await cluster[holder].WaitForExitAsync(TimeSpan.FromSeconds(45), budget.Token);
        await SignalRApps.DeliveredAsync(sender, client, "after", budget.Token);
        // The stopped node is started again by the next test that needs every node.
        await cluster.ForgetAsync(holder);
    }

    private async Task<int> HolderOfAsync(string channel)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(aegis.Configuration);
        var ports = aegis.Cluster.ClientPorts;
        var server = redis.GetServer("127.0.0.1", ports[0]);
        var endpoint = (System.Net.IPEndPoint)server.ClusterConfiguration!.GetBySlot(channel)!.EndPoint!;
        for (var i = 0; i < aegis.Cluster.Size; i++)
            if (aegis.Cluster[i].ClientPort == endpoint.Port) return i;
        throw new InvalidOperationException($"no node serves {endpoint}");
    }

    // The nodes are back before every shard is: until the key ring's shard serves, a read answers TRYAGAIN, and an
    // application started then would find no key (and keep that view for hours).
    private async Task KeyRingReadableAsync(CancellationToken cancellationToken)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(aegis.Configuration);
        while (true)
        {
            try
            {
                if ((await redis.GetDatabase().ListRangeAsync("DataProtection-Keys")).Length > 0) return;
            }
            catch (RedisException) when (!cancellationToken.IsCancellationRequested)
            {
            }

            await Task.Delay(250, cancellationToken);
        }
    }
}
