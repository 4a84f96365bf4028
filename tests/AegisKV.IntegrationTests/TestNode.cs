using AegisKV.Server.Configuration;
using AegisKV.Server.Hosting;
using Microsoft.Extensions.Logging;

namespace AegisKV.IntegrationTests;

/// <summary>An AegisKV node in this process on free loopback ports, with its own data directory.</summary>
public sealed class TestNode : IAsyncDisposable
{
    private TestNode(AegisNode node, string dataDirectory)
    {
        Node = node;
        DataDirectory = dataDirectory;
    }

    public AegisNode Node { get; }

    public string DataDirectory { get; }

    public string Endpoint => $"127.0.0.1:{Node.ClientPort}";

    /// <summary>Where other nodes reach this one's gossip port, as --seeds names it.</summary>
    public string GossipEndpoint => $"127.0.0.1:{Akka.Cluster.Cluster.Get(Node.System).SelfAddress.Port}";

    /// <summary>Starts a node and, unless <paramref name="waitUntilReady"/> is false, waits until every shard has recovered.</summary>
    public static async Task<TestNode> StartAsync(Dictionary<string, string>? flags = null, string? dataDirectory = null, string? configFile = null,
        bool waitUntilReady = true)
    {
        dataDirectory ??= Path.Combine(Path.GetTempPath(), "aegis-it-" + Guid.NewGuid().ToString("N"));
        var given = new Dictionary<string, string>
        {
            ["node-id"] = "it-" + Path.GetFileName(dataDirectory)[..16],
            ["bind"] = "127.0.0.1:0",
            ["gossip"] = "127.0.0.1:0",
            ["health"] = "127.0.0.1:0",
            ["data-dir"] = dataDirectory,
            ["shards"] = "8",
            ["log-level"] = "warn",
        };
        foreach (var (key, value) in flags ?? []) given[key] = value;
        var settings = NodeConfigLoader.Load(given, configFile, new Dictionary<string, string>());
        var node = AegisNode.Create(settings, logging => logging.SetMinimumLevel(LogLevel.Warning));
        await node.StartAsync();
        if (waitUntilReady) await node.WaitUntilReadyAsync(TimeSpan.FromSeconds(30));
        return new TestNode(node, dataDirectory);
    }

    public async ValueTask DisposeAsync()
    {
        await Node.DisposeAsync();
    }

    /// <summary>The node's own series without labels, from its <c>/metrics</c>.</summary>
    public async Task<Dictionary<string, double>> MetricsAsync()
    {
        using var http = new HttpClient();
        if (Node.Settings.AuthToken is { } token) http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        var text = await http.GetStringAsync($"http://127.0.0.1:{Node.HealthPort}/metrics");
        var values = new Dictionary<string, double>();
        foreach (var line in text.Split('\n'))
        {
            var parts = line.Split(' ');
            if (parts.Length == 2 && parts[0].StartsWith("aegis_", StringComparison.Ordinal))
                values[parts[0]] = double.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
        }

        return values;
    }

    /// <summary>Deletes the data directory; call after the node has stopped.</summary>
    public void DeleteData()
    {
        if (Directory.Exists(DataDirectory)) Directory.Delete(DataDirectory, recursive: true);
    }
}
