using System.Globalization;
using System.Net;
using System.Net.Sockets;
using AegisKV.Server.Configuration;
using AegisKV.Server.Network.Tls;
using AegisKV.Server.Resp;

namespace AegisKV.Server.Admin;

/// <summary>One row of <c>aegis doctor</c>: a check from the production checklist, its verdict and why.</summary>
/// <param name="Section">The checklist's section: Security, Configuration or Monitoring.</param>
/// <param name="Check">What was checked.</param>
/// <param name="Status"><c>pass</c>, <c>warn</c> or <c>fail</c>.</param>
/// <param name="Detail">What was found, and what to do when it is not a pass.</param>
public sealed record DoctorCheck(string Section, string Check, string Status, string Detail);

/// <summary>
/// A running node checked against the production checklist's Security, Configuration and Monitoring Thresholds
/// sections, as the node sees itself and its cluster. <c>GET /admin/doctor</c> serves it; <c>aegis doctor</c> prints it.
/// </summary>
public static class DoctorReport
{
    private const int StrongSecretLength = 32;
    private const string Pass = "pass", Warn = "warn", Fail = "fail";

    /// <summary>Every check, in the checklist's order.</summary>
    public static IReadOnlyList<DoctorCheck> Run(NodeContext node, ServerCertificate? certificate, Akka.Cluster.Cluster cluster)
    {
        var s = node.Settings;
        var checks = new List<DoctorCheck>();
        void Add(string section, string check, string status, string detail) => checks.Add(new DoctorCheck(section, check, status, detail));
        var inv = CultureInfo.InvariantCulture;

        // Security
        if (certificate is null) Add("Security", "Client TLS", Warn, "off: clients and their data cross the network in clear (--tls-cert, --tls-key, --tls-bind)");
        else
        {
            var left = certificate.Certificate.NotAfter.ToUniversalTime() - DateTime.UtcNow;
            var until = certificate.Certificate.NotAfter.ToUniversalTime().ToString("yyyy-MM-dd", inv);
            if (left <= TimeSpan.Zero) Add("Security", "Client TLS", Fail, $"the certificate expired on {until}: renew it");
            else if (left < TimeSpan.FromDays(30)) Add("Security", "Client TLS", Warn, $"the certificate expires in {left.TotalDays:F0} days ({until}): renew it");
            else Add("Security", "Client TLS", Pass, $"certificate valid until {until} ({left.TotalDays:F0} days), client certificates {s.Tls!.ClientAuth.ToString().ToLowerInvariant()}");
        }

        Add("Security", "Auth token", s.AuthToken switch
        {
            null => Warn,
            { Length: < StrongSecretLength } => Warn,
            _ => Pass,
        }, s.AuthToken switch
        {
            null => "off: anyone who reaches the client port reads and writes every key (--auth-token-file)",
            { Length: < StrongSecretLength } token => $"{token.Length} characters: use at least {StrongSecretLength} random ones (openssl rand -hex 32)",
            var token => $"{token.Length} characters",
        });
        var nodeAuth = (s.GossipSecret, s.ClusterTls) switch
        {
            (null, null) => (Warn, "off: any process that reaches the gossip port can join the cluster (--gossip-secret-file or --cluster-tls-*)"),
            ({ Length: < StrongSecretLength } secret, null) => (Warn, $"gossip secret of {secret.Length} characters: use at least {StrongSecretLength} random ones"),
            (not null, null) => (Pass, "gossip secret on; node-to-node traffic in clear (--cluster-tls-* encrypts it)"),
            _ => (Pass, "node-to-node mutual TLS on" + (s.GossipSecret is null ? "" : ", gossip secret too")),
        };
        Add("Security", "Node authentication", nodeAuth.Item1, nodeAuth.Item2);
        foreach (var (flag, endpoint) in Listeners(s, node))
        {
            var (status, detail) = Exposure(endpoint);
            Add("Security", $"Address {flag}", status, $"{endpoint}: {detail}");
        }

        if (!OperatingSystem.IsWindows() && Directory.Exists(s.DataDirectory))
        {
            var mode = File.GetUnixFileMode(s.DataDirectory);
            const UnixFileMode shared = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
                                        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
            Add("Security", "Data directory", (mode & shared) == 0 ? Pass : Fail,
                $"{Path.GetFullPath(s.DataDirectory)} mode {Convert.ToString((int)mode, 8)}" + ((mode & shared) == 0 ? "" : ": chmod 700 it"));
        }

        // Configuration
        Add("Configuration", "WAL mode", s.Wal switch { Storage.WalMode.Fsync => Pass, Storage.WalMode.Write => Warn, _ => Fail }, s.Wal switch
        {
            Storage.WalMode.Fsync => "fsync before every reply",
            Storage.WalMode.Write => "write: an OS crash or power loss can lose the last second of acknowledged writes (--wal fsync)",
            _ => "off: every key is lost when the process ends (--wal fsync)",
        });
        Add("Configuration", "Replication factor", s.ReplicationFactor >= 3 ? Pass : Warn,
            s.ReplicationFactor >= 3 ? $"{s.ReplicationFactor} copies of each shard" : $"{s.ReplicationFactor}: a lost node or disk loses the shards only it held (--replication-factor 3)");
        var members = cluster.State.Members.Count(m => m.Status == Akka.Cluster.MemberStatus.Up);
        Add("Configuration", "Cluster size", members >= 3 ? Pass : Warn, members >= 3 ? $"{members} members up" : $"{members} member(s) up: at least 3 ride out the loss of one");
        var available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (s.MaxMemoryBytes == 0) Add("Configuration", "Max memory", Warn, "unlimited: the node grows until the machine runs out (--max-memory)");
        else Add("Configuration", "Max memory", available >= 2 * s.MaxMemoryBytes ? Pass : Warn,
            $"--max-memory {s.MaxMemoryBytes >> 20} MB, {available >> 20} MB available to the process (at least twice the limit is advised)");
        Add("Configuration", "Log level", s.LogLevel is "info" or "warn" ? Pass : Warn, s.LogLevel is "info" or "warn" ? s.LogLevel : $"{s.LogLevel}: use info or warn in production");

        // Monitoring thresholds
        if (s.MaxMemoryBytes > 0)
        {
            var used = (double)node.Memory.UsedBytes / s.MaxMemoryBytes;
            Add("Monitoring", "Memory usage", used > 0.95 ? Fail : used > 0.80 ? Warn : Pass, $"{used * 100:F0}% of --max-memory (warn above 80%, fail above 95%)");
        }

        var dataDisk = Metrics.DataDisk.Of(s.DataDirectory) ?? throw new IOException($"the data directory {s.DataDirectory} cannot be read");
        var disk = dataDisk.UsedFraction;
        Add("Monitoring", "Disk usage", disk > 0.90 ? Fail : disk > 0.70 ? Warn : Pass,
            $"{disk * 100:F0}% of the data directory's file system used, {dataDisk.FreeBytes >> 30} GiB free (warn above 70%, fail above 90%)");
        var (calls, failed) = (0L, 0L);
        foreach (var (_, c, _, f) in node.Metrics.CommandStats())
        {
            calls += c;
            failed += f;
        }

        var errors = calls == 0 ? 0 : (double)failed / calls;
        Add("Monitoring", "Error rate", errors > 0.05 ? Fail : errors > 0.01 ? Warn : Pass, $"{errors * 100:F1}% of {calls} commands since start answered an error (warn above 1%, fail above 5%)");
        var unreachable = cluster.State.Unreachable.Count;
        Add("Monitoring", "Unreachable members", unreachable == 0 ? Pass : Fail, unreachable == 0 ? "none" : $"{unreachable}: see aegis cluster show");
        var under = node.Replication.UnderReplicated;
        Add("Monitoring", "Under-replicated groups", under == 0 ? Pass : Warn, under == 0 ? "none led here" : $"{under} led here have a member that is not in sync");
        return checks;
    }

    private static IEnumerable<(string Flag, NodeEndpoint Endpoint)> Listeners(NodeSettings s, NodeContext node)
    {
        if (s.Bind is { } bind) yield return ("--bind", bind with { Port = node.ClientPort });
        if (s.Tls is { } tls) yield return ("--tls-bind", tls.Bind with { Port = node.TlsPort });
        yield return ("--gossip", s.Gossip);
        yield return ("--health", s.Health);
    }

    // The checklist's "ports not exposed to the public internet", as far as the node can tell from its own addresses.
    private static (string Status, string Detail) Exposure(NodeEndpoint endpoint)
    {
        if (endpoint.IsAnyAddress) return (Warn, "every interface, public ones included: bind a private address");
        IPAddress[] addresses;
        try
        {
            addresses = endpoint.Host == "localhost" ? [IPAddress.Loopback]
                : IPAddress.TryParse(endpoint.Host, out var parsed) ? [parsed] : Dns.GetHostAddresses(endpoint.Host);
        }
        catch (SocketException)
        {
            return (Warn, "does not resolve");
        }

        return addresses.All(IsPrivate) ? (Pass, "loopback or private") : (Warn, "a public address: keep it behind a firewall");
    }

    private static bool IsPrivate(IPAddress address)
    {
        if (IPAddress.IsLoopback(address)) return true;
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
            return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal;
        var b = address.GetAddressBytes();
        return b[0] == 10 || (b[0] == 172 && b[1] is >= 16 and <= 31) || (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254) || (b[0] == 100 && b[1] is >= 64 and <= 127);
    }
}
