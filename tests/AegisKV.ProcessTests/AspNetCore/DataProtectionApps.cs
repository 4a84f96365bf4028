using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace AegisKV.ProcessTests.AspNetCore;

/// <summary>Applications that keep their DataProtection key ring in AegisKV (Microsoft.AspNetCore.DataProtection.StackExchangeRedis).</summary>
internal static class DataProtectionApps
{
    public static Task<WebApplication> StartAsync(string configuration) => AspNetApps.StartAsync(services =>
        services.AddDataProtection()
            .SetApplicationName("aegis-shop")
            .PersistKeysToStackExchangeRedis(ConnectionMultiplexer.Connect(configuration), "DataProtection-Keys"));

    public static IDataProtector Protector(WebApplication app) =>
        app.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("orders");
}
