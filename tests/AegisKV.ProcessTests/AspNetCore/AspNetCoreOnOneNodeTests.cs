using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;

namespace AegisKV.ProcessTests.AspNetCore;

/// <summary>
/// ASP.NET Core's Redis integrations, unchanged, on one real node: IDistributedCache and HybridCache
/// (Microsoft.Extensions.Caching.StackExchangeRedis), the DataProtection key ring and the SignalR backplane.
/// </summary>
public sealed class AspNetCoreOnOneNodeTests(AegisNodeFixture aegis) : IClassFixture<AegisNodeFixture>
{
    private Task<Microsoft.AspNetCore.Builder.WebApplication> StartAppAsync() => AspNetApps.StartAsync(services =>
    {
        services.AddStackExchangeRedisCache(options =>
        {
            options.Configuration = aegis.Configuration;
            options.InstanceName = "shop:";
        });
        services.AddHybridCache();
    });

    [Fact(Timeout = Limits.TestTimeoutMs)]
    public async Task Entries_should_be_set_read_refreshed_and_expire_as_configured()
    {
        await using var app = await StartAppAsync();
        var cache = app.Services.GetRequiredService<IDistributedCache>();
        await cache.SetStringAsync("plain", "kept");
        Assert.Equal("kept", await cache.GetStringAsync("plain"));

        await cache.SetStringAsync("absolute", "soon gone", new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(1) });
        await cache.SetStringAsync("sliding", "kept while used", new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromSeconds(2) });
        Assert.Equal("soon gone", await cache.GetStringAsync("absolute"));
        for (var i = 0; i < 3; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            await cache.RefreshAsync("sliding");
        }

        Assert.Null(await cache.GetStringAsync("absolute"));
        Assert.Equal("kept while used", await cache.GetStringAsync("sliding"));
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Null(await cache.GetStringAsync("sliding"));

        await cache.RemoveAsync("plain");
        Assert.Null(await cache.GetAsync("plain"));
    }

    [Fact(Timeout = Limits.TestTimeoutMs)]
    public async Task Two_instances_should_share_HybridCache_entries_through_AegisKV()
    {
        await using var first = await StartAppAsync();
        await using var second = await StartAppAsync();
        var made = await first.Services.GetRequiredService<HybridCache>().GetOrCreateAsync("product:42", _ => ValueTask.FromResult("made by the first"));
        Assert.Equal("made by the first", made);
        // The second instance has nothing in its own memory: it finds the entry in AegisKV and never runs its factory.
        var found = await second.Services.GetRequiredService<HybridCache>().GetOrCreateAsync("product:42", _ => ValueTask.FromResult("made by the second"));
        Assert.Equal("made by the first", found);
        Assert.NotNull(await second.Services.GetRequiredService<IDistributedCache>().GetAsync("product:42"));
        Assert.Contains("shop:product:42", Encoding.UTF8.GetString(await KeysAsync()));
    }

    [Fact(Timeout = Limits.TestTimeoutMs)]
    public async Task A_key_ring_kept_in_AegisKV_should_let_one_instance_read_what_another_protected()
    {
        await using var first = await DataProtectionApps.StartAsync(aegis.Configuration);
        await using var second = await DataProtectionApps.StartAsync(aegis.Configuration);
        var secret = DataProtectionApps.Protector(first).Protect("order 42: paid");
        Assert.Equal("order 42: paid", DataProtectionApps.Protector(second).Unprotect(secret));
    }

    [Fact(Timeout = Limits.TestTimeoutMs)]
    public async Task A_SignalR_message_sent_through_one_instance_should_reach_a_client_of_the_other()
    {
        using var budget = Limits.TestBudget();
        await using var sender = await SignalRApps.StartAsync(aegis.Configuration);
        await using var receiver = await SignalRApps.StartAsync(aegis.Configuration);
        await using var client = await AspNetApps.ConnectAsync(receiver, budget.Token);
        await SignalRApps.DeliveredAsync(sender, client, "hello", budget.Token);
    }

    private async Task<byte[]> KeysAsync()
    {
        await using var redis = await RedisClient.ConnectAsync(aegis.Node.ClientPort);
        var keys = await redis.GetDatabase().ExecuteAsync("KEYS", "shop:*");
        return Encoding.UTF8.GetBytes(string.Join(",", (string[])keys!));
    }
}
