using System.Net;
using Xunit.Abstractions;

namespace AegisKV.IntegrationTests;

/// <summary>Runs alone: a test that measures this process's heap must not share it with other tests.</summary>
[CollectionDefinition(nameof(HeapMeasurement), DisableParallelization = true)]
public sealed class HeapMeasurement;

/// <summary>Short-lived connections, as <c>redis-benchmark -k 0</c> and serverless clients make them, leave nothing behind.</summary>
[Collection(nameof(HeapMeasurement))]
public sealed class ConnectionChurnTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TestNode _node = null!;

    public async Task InitializeAsync() => _node = await TestNode.StartAsync();

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        _node.DeleteData();
    }

    [Fact(Timeout = 180_000)]
    public async Task Twenty_thousand_closed_connections_should_leave_the_managed_heap_at_its_baseline()
    {
        await Churn(2_000);
        var baseline = await SettledHeapAsync();

        await Churn(20_000);
        var after = await SettledHeapAsync();

        var growth = after - baseline;
        output.WriteLine($"managed heap: baseline {baseline / 1024} KiB, after 20,000 connections {after / 1024} KiB, growth {growth / 1024} KiB ({(double)growth / 20_000:F0} bytes per connection)");
        // A connection costs tens of kilobytes while open; 4 MiB over 20,000 would be 200 bytes each.
        Assert.True(growth < 4 << 20, $"the managed heap grew by {growth / 1024} KiB over 20,000 closed connections");
    }

    // Connect, PING, close; from several loopback source addresses so client ports in TIME_WAIT never run out.
    private async Task Churn(int connections)
    {
        const int parallel = 16;
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, parallel).Select(async worker =>
        {
            var from = IPAddress.Parse($"127.0.0.{2 + worker % 8}");
            while (Interlocked.Increment(ref next) < connections)
            {
                using var client = await RawClient.ConnectAsync(_node.Node.ClientPort, from: from);
                await client.SendAsync("PING\r\n");
                Assert.Equal("+PONG\r\n", await client.ReceiveAsync(7, TimeSpan.FromSeconds(10)));
            }
        }));
    }

    // Waits until the node has seen every connection close, then measures after a full collection.
    private async Task<long> SettledHeapAsync()
    {
        using var probe = await RawClient.ConnectAsync(_node.Node.ClientPort);
        for (var attempt = 0; attempt < 100; attempt++)
        {
            await probe.SendAsync("INFO clients\r\n");
            var info = await probe.ReceiveBulkAsync(TimeSpan.FromSeconds(10));
            if (info.Contains("connected_clients:1\r\n", StringComparison.Ordinal)) break;
            await Task.Delay(100);
        }

        await Task.Delay(200);
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
