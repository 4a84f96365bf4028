using System.Globalization;
using System.Text;
using AegisKV.Server.Configuration;
using AegisKV.Storage;

namespace AegisKV.Server.Hosting;

/// <summary>
/// The HOCON a node's actor system runs with: what its flags decide (<see cref="Render"/>, before the
/// <c>--config</c> file, so a flag always wins) and defaults the file may change (<see cref="Defaults"/>, after it).
/// </summary>
internal static class AkkaConfiguration
{
    public const string SystemName = "aegis";
    public const string DataRole = "data";

    public static string Render(NodeSettings settings)
    {
        var data = Path.GetFullPath(settings.DataDirectory);
        var mode = settings.Wal.ToString().ToLowerInvariant();
        var akkaLevel = settings.LogLevel switch { "warn" => "WARNING", "error" => "ERROR", "debug" => "DEBUG", _ => "INFO" };
        var hocon = new StringBuilder();
        hocon.AppendLine(CultureInfo.InvariantCulture, $$"""
            akka {
              loglevel = {{akkaLevel}}
              stdout-loglevel = WARNING
              log-dead-letters = off
              log-dead-letters-during-shutdown = off
              coordinated-shutdown.phases.service-requests-done.timeout = {{(int)(settings.DrainTimeout.TotalMilliseconds + 1000)}}ms
              actor.ask-timeout = {{(int)settings.RequestTimeout.TotalMilliseconds}}ms
              # A request of aegis.cluster.max-message-size, or its reply, fits one frame between nodes.
              remote.dot-netty.tcp.maximum-frame-size = {{settings.MaxClusterMessageBytes + (1 << 20)}}b
              persistence {
                journal.plugin = "akka.persistence.journal.aegis-wal"
                snapshot-store.plugin = "akka.persistence.snapshot-store.aegis-wal"
                journal.aegis-wal { dir = {{Quote(Path.Combine(data, "wal"))}}, mode = {{mode}} }
                snapshot-store.aegis-wal { dir = {{Quote(Path.Combine(data, "snapshots"))}}, mode = {{(settings.Wal == WalMode.Off ? "off" : "fsync")}} }
              }
              cluster {
                downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
                split-brain-resolver.active-strategy = keep-majority
                sharding {
                  role = {{DataRole}}
                  state-store-mode = ddata
                  remember-entities = off
                  passivate-idle-entity-after = off
                }
              }
            }
            aegis.shard.count = {{settings.Shards}}
            """);
        return hocon.ToString();
    }

    /// <summary>
    /// Defaults a node's <c>--config</c> file may override (it comes before them): how long membership must be
    /// stable before the Split Brain Resolver downs the unreachable side, how often placement looks for shards to
    /// move. Akka's own reference settings (the
    /// failure detector, <c>down-removal-margin</c>) sit below the file already.
    /// </summary>
    public static string Defaults() => """
        akka.cluster.split-brain-resolver.stable-after = 20s
        akka.cluster.sharding.rebalance-interval = 2s
        """;

    /// <summary>A node's actor-system address; with node-to-node TLS (<paramref name="tls"/>) Akka.Remote's scheme is <c>akka.ssl.tcp</c>.</summary>
    public static string Address(string host, int port, bool tls) =>
        $"{(tls ? "akka.ssl.tcp" : "akka.tcp")}://{SystemName}@{(host.Contains(':') ? "[" + host + "]" : host)}:{port}";

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
