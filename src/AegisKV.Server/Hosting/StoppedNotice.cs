using AegisKV.Server.Configuration;
using AegisKV.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AegisKV.Server.Hosting;

/// <summary>Says, as the last line of a clean stop, that the node stopped and its WAL is flushed.</summary>
internal sealed class StoppedNotice(NodeSettings settings, ILogger log) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
    {
        log.LogInformation("Stopped ({Wal})", settings.Wal == WalMode.Off ? "WAL off: nothing was kept" : "WAL flushed");
        return Task.CompletedTask;
    }
}
