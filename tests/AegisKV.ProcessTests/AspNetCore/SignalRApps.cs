using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace AegisKV.ProcessTests.AspNetCore;

/// <summary>Applications whose SignalR backplane is AegisKV (Microsoft.AspNetCore.SignalR.StackExchangeRedis).</summary>
internal static class SignalRApps
{
    /// <summary>The channel SignalR publishes Clients.All on: the hub's full name, then ":all".</summary>
    public static string AllChannel => typeof(ChatHub).FullName + ":all";

    public static Task<WebApplication> StartAsync(string configuration) => AspNetApps.StartAsync(
        services => services.AddSignalR().AddStackExchangeRedis(configuration),
        app => app.MapHub<ChatHub>("/chat"));

    /// <summary>
    /// Sends <paramref name="text"/> to every client through <paramref name="sender"/>'s hub context, again every half second
    /// (a backplane reconnecting after a node stopped drops what was published meanwhile), until <paramref name="client"/> has it.
    /// </summary>
    public static async Task DeliveredAsync(WebApplication sender, HubConnection client, string text, CancellationToken cancellationToken)
    {
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var handler = client.On<string>("news", message =>
        {
            if (message == text) received.TrySetResult();
        });
        var hub = sender.Services.GetRequiredService<IHubContext<ChatHub>>();
        while (!received.Task.IsCompleted)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await hub.Clients.All.SendAsync("news", text, cancellationToken);
            await Task.WhenAny(received.Task, Task.Delay(500, cancellationToken));
        }
    }
}
