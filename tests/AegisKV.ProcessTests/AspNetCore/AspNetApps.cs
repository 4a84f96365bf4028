using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AegisKV.ProcessTests.AspNetCore;

/// <summary>
/// ASP.NET Core applications in a test host, registered with AegisKV exactly as README's "Using AegisKV from ASP.NET
/// Core" shows: each scenario starts its own instances, as a web farm would run several.
/// </summary>
internal static class AspNetApps
{
    /// <summary>StackExchange.Redis's configuration string for the running nodes: every endpoint, as an operator lists them.</summary>
    public static string Configuration(IEnumerable<int> clientPorts) => string.Join(",", clientPorts.Select(p => "127.0.0.1:" + p)) + ",abortConnect=false";

    /// <summary>Starts an application whose services <paramref name="configure"/> registers.</summary>
    public static async Task<WebApplication> StartAsync(Action<IServiceCollection> configure, Action<WebApplication>? map = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        configure(builder.Services);
        var app = builder.Build();
        map?.Invoke(app);
        await app.StartAsync();
        return app;
    }

    /// <summary>A SignalR client of <paramref name="app"/>'s chat hub, through the test host (long polling).</summary>
    public static async Task<HubConnection> ConnectAsync(WebApplication app, CancellationToken cancellationToken)
    {
        var server = app.GetTestServer();
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(server.BaseAddress, "chat"), options =>
            {
                options.Transports = HttpTransportType.LongPolling;
                options.HttpMessageHandlerFactory = _ => server.CreateHandler();
            })
            .Build();
        await connection.StartAsync(cancellationToken);
        return connection;
    }
}

/// <summary>The hub of the SignalR scenarios: messages go out through the application's <c>IHubContext</c>.</summary>
public sealed class ChatHub : Hub;
