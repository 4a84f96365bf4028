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

    private int _disposed;

    public AegisNode Node { get; }

    public string DataDirectory { get; }

    public string Endpoint => $"127.0.0.1:{Node.ClientPort}";

    /// <summary>Where other nodes reach this one's gossip port, as --seeds names it.</summary>
    public string GossipEndpoint => $"127.0.0.1:{Akka.Cluster.Cluster.Get(Node.System).SelfAddress.Port}";

    /// <summary>Starts a node and, unless <paramref name="waitUntilReady"/> is false, waits until every shard has recovered.</summary>
    public static async Task<TestNode> StartAsync(Dictionary<string, string>? flags = null, string? dataDirectory = null, string? configFile = null,
        bool waitUntilReady = true, ILoggerProvider? logs = null)
    {
        dataDirectory ??= TestData.NewPath();
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
        var node = AegisNode.Create(settings, logging =>
        {
            if (logs is null) logging.SetMinimumLevel(LogLevel.Warning);
            else logging.AddProvider(logs);
        });
        await node.StartAsync();
        if (waitUntilReady) await node.WaitUntilReadyAsync(TimeSpan.FromSeconds(30));
        return new TestNode(node, dataDirectory);
    }

    // Once: a test that stops the node itself (to delete its data) still ends in an `await using`.
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) await Node.DisposeAsync();
    }

    /// <summary>Stops the node, then deletes its data directory: a running node may still be writing to it.</summary>
    public async Task StopAndDeleteDataAsync()
    {
        await DisposeAsync();
        DeleteData();
    }

    /// <summary>The health port's base address: HTTPS when the node serves client TLS.</summary>
    public string HealthUrl => $"{(Node.Settings.Tls is null ? "http" : "https")}://127.0.0.1:{Node.HealthPort}";

    /// <summary>
    /// A client of the health port that sends <paramref name="token"/> (the node's own by default) and, over HTTPS,
    /// trusts exactly the certificate in the node's <c>--tls-cert</c> file.
    /// </summary>
    public HttpClient HealthClient(string? token = "")
    {
        var handler = new HttpClientHandler();
        if (Node.Settings.Tls is { } tls)
            handler.ServerCertificateCustomValidationCallback = (_, presented, _, _) =>
                presented?.Thumbprint == System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(tls.CertificatePath, tls.KeyPath).Thumbprint;
        var http = new HttpClient(handler);
        if ((token == "" ? Node.Settings.AuthToken : token) is { } bearer) http.DefaultRequestHeaders.Authorization = new("Bearer", bearer);
        return http;
    }

    /// <summary>The node's own series without labels, from its <c>/metrics</c>.</summary>
    public async Task<Dictionary<string, double>> MetricsAsync()
    {
        using var http = HealthClient();
        var text = await http.GetStringAsync(HealthUrl + "/metrics");
        var values = new Dictionary<string, double>();
        foreach (var line in text.Split('\n'))
        {
            var parts = line.Split(' ');
            if (parts.Length == 2 && parts[0].StartsWith("aegis_", StringComparison.Ordinal))
                values[parts[0]] = double.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
        }

        return values;
    }

    /// <summary>Writes <paramref name="count"/> keys through this node and reads each back: it serves.</summary>
    public async Task AssertServesAsync(string prefix, int count = 50)
    {
        await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(Endpoint);
        var db = redis.GetDatabase();
        for (var i = 0; i < count; i++) await db.StringSetAsync($"{prefix}:{Node.Settings.NodeId}:{i}", i);
        for (var i = 0; i < count; i++) Assert.Equal(i, (int)await db.StringGetAsync($"{prefix}:{Node.Settings.NodeId}:{i}"));
    }

    /// <summary>Stops <paramref name="nodes"/> together (a node that never joined waits out its shard region's stop) and deletes their data.</summary>
    public static async Task DisposeAllAsync(IEnumerable<TestNode> nodes)
    {
        var all = nodes.ToList();
        await Task.WhenAll(all.Select(node => node.DisposeAsync().AsTask()));
        foreach (var node in all) node.DeleteData();
    }

    /// <summary>Deletes the data directory; call after the node has stopped.</summary>
    public void DeleteData()
    {
        if (Directory.Exists(DataDirectory)) Directory.Delete(DataDirectory, recursive: true);
    }
}
