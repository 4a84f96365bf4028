using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace AegisKV.IntegrationTests;

/// <summary>
/// The checklist's "logs without secrets": the token and the gossip secret appear in no log line (debug included),
/// nor in INFO, CONFIG GET, CLIENT LIST, /metrics or /health, whatever a client does with them.
/// </summary>
public sealed class SecretsOutOfOutputTests
{
    private const string Token = "tok-5b0c7e1f9a2d4c6e8b1a3f5d7c9e0b2a";
    private const string Secret = "gos-8e2a4c6b0d1f3a5c7e9b2d4f6a8c0e1b";

    [Fact(Timeout = 60_000)]
    public async Task No_secret_should_show_in_logs_INFO_CONFIG_CLIENT_LIST_or_the_health_port()
    {
        var logs = new CapturedLogs();
        var node = await TestNode.StartAsync(new() { ["auth-token"] = Token, ["gossip-secret"] = Secret, ["log-level"] = "debug" }, logs: logs);
        var seen = new List<string>();
        try
        {
            var options = ConfigurationOptions.Parse(node.Endpoint);
            options.Password = Token;
            options.AllowAdmin = true;
            await using (var redis = await ConnectionMultiplexer.ConnectAsync(options))
            {
                var db = redis.GetDatabase();
                await db.StringSetAsync("k", "v");
                seen.Add((string)(await db.ExecuteAsync("INFO", "everything"))!);
                seen.Add(string.Join("\n", ((RedisResult[])(await db.ExecuteAsync("CONFIG", "GET", "*"))!).Select(r => (string?)r)));
                seen.Add((string)(await db.ExecuteAsync("CLIENT", "LIST"))!);
            }

            // Wrong attempts are logged: with the client's address, never with what it sent.
            seen.Add(await RawClient.SessionAsync(node.Node.ClientPort, $"AUTH {Secret}\r\nAUTH default {Secret}\r\n"));
            using var http = new HttpClient();
            http.DefaultRequestHeaders.Authorization = new("Bearer", Token);
            seen.Add(await http.GetStringAsync($"http://127.0.0.1:{node.Node.HealthPort}/metrics"));
            seen.Add(await http.GetStringAsync($"http://127.0.0.1:{node.Node.HealthPort}/health"));
        }
        finally
        {
            await node.DisposeAsync();
            node.DeleteData();
        }

        seen.Add(logs.Text);
        Assert.Contains("wrong", logs.Text, StringComparison.OrdinalIgnoreCase);
        foreach (var output in seen)
        {
            Assert.DoesNotContain(Token, output, StringComparison.Ordinal);
            Assert.DoesNotContain(Secret, output, StringComparison.Ordinal);
        }
    }

    private sealed class CapturedLogs : ILoggerProvider, ILogger
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public string Text => string.Join("\n", _lines);

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            _lines.Enqueue(formatter(state, exception) + (exception is null ? "" : "\n" + exception));

        public void Dispose()
        {
        }
    }
}
