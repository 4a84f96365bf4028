using StackExchange.Redis;

namespace AegisKV.ProcessTests;

/// <summary>StackExchange.Redis, the client .NET applications use, pointed at one node.</summary>
public static class RedisClient
{
    /// <summary>Connects to 127.0.0.1:<paramref name="port"/>; every operation times out after 10 s.</summary>
    public static Task<ConnectionMultiplexer> ConnectAsync(int port) =>
        ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions
        {
            EndPoints = { $"127.0.0.1:{port}" },
            ConnectTimeout = 10_000,
            SyncTimeout = 10_000,
            AsyncTimeout = 10_000,
            AbortOnConnectFail = true,
        });
}
