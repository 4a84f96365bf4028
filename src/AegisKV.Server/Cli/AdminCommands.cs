using System.CommandLine;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace AegisKV.Server.Cli;

/// <summary>
/// <c>aegis cluster …</c> and <c>aegis shards</c>: ask any node's admin API (its <c>--health</c> port) about the
/// cluster, or change its membership. Tables by default, the API's JSON with <c>--json</c>; exit 1 when the node
/// cannot be reached or refuses.
/// </summary>
internal static class AdminCommands
{
    private static readonly Option<string> Node = new("--node")
    {
        Description = "The health address (host:port) of any node of the cluster; https://host:port where the node serves TLS.",
        DefaultValueFactory = _ => "127.0.0.1:7702",
    };

    private static readonly Option<string?> CaCert = new("--cacert")
    {
        Description = "CA (PEM) that the node's HTTPS certificate is checked against, instead of the machine's trusted CAs.",
    };

    private static readonly Option<string?> Token = new("--token") { Description = "The cluster's auth token (default: $AEGIS_AUTH_TOKEN)." };
    private static readonly Option<bool> AsJson = new("--json") { Description = "Print the admin API's JSON instead of a table." };

    /// <summary>The <c>--node</c> option every verb has.</summary>
    internal static Option<string> NodeOption => Node;

    /// <summary>The <c>--json</c> option every verb has.</summary>
    internal static Option<bool> AsJsonOption => AsJson;

    public static Command Cluster()
    {
        var show = Verb("show", "List the members: node id, status, reachability, client address, shards; the leader is marked.");
        show.SetAction((parse, ct) => GetAsync(parse, "/admin/cluster", PrintCluster, ct));
        var target = new Argument<string>("node-id") { Description = "The member's --node-id." };
        var leave = Verb("leave", "Have a member leave gracefully: it hands its shards off with their data, then exits.");
        leave.Arguments.Add(target);
        leave.SetAction((parse, ct) => PostAsync(parse, "/admin/cluster/leave/" + Uri.EscapeDataString(parse.GetValue(target)!), ct));
        var down = Verb("down", "Mark a member down (it is gone): its shards move, those only it held answer CLUSTERDOWN until it returns.");
        down.Arguments.Add(target);
        down.SetAction((parse, ct) => PostAsync(parse, "/admin/cluster/down/" + Uri.EscapeDataString(parse.GetValue(target)!), ct));
        var downUnreachable = Verb("down-unreachable", "Mark every unreachable member down.");
        downUnreachable.SetAction((parse, ct) => PostAsync(parse, "/admin/cluster/down-unreachable", ct));

        var cluster = new Command("cluster", "Inspect and change the cluster's membership through any node.");
        foreach (var verb in new[] { show, leave, down, downUnreachable }) cluster.Subcommands.Add(verb);
        return cluster;
    }

    public static Command Shards()
    {
        var shards = Verb("shards", "List the shards: slots, the node each runs on, the node custody records as holding its data, epoch, keys, bytes.");
        shards.SetAction((parse, ct) => GetAsync(parse, "/admin/shards", PrintShards, ct));
        var stats = Verb("stats", "Per node: the shards running there, how many serve, and the keys and bytes they hold.");
        stats.SetAction((parse, ct) => GetAsync(parse, "/admin/shards/stats", PrintShardStats, ct));
        shards.Subcommands.Add(stats);
        return shards;
    }

    public static Command Doctor()
    {
        var doctor = Verb("doctor", "Check a running node (and its cluster, as it sees it) against the production checklist: "
                                    + "a pass/warn/fail table; exit code 1 on any fail.");
        doctor.SetAction(async (parse, ct) =>
        {
            var (status, body) = await SendAsync(parse, HttpMethod.Get, "/admin/doctor", ct).ConfigureAwait(false);
            if (status != HttpStatusCode.OK) return Failed(parse, status, body);
            var checks = JsonDocument.Parse(body).RootElement.GetProperty("checks").EnumerateArray().ToList();
            if (parse.GetValue(AsJson)) Console.Out.WriteLine(body);
            else
            {
                Console.Out.Write(Table(["SECTION", "CHECK", "STATUS", "DETAIL"], checks.Select(c => new[]
                {
                    c.GetProperty("section").GetString()!, c.GetProperty("check").GetString()!, c.GetProperty("status").GetString()!.ToUpperInvariant(),
                    c.GetProperty("detail").GetString()!,
                })));
                var count = (string verdict) => checks.Count(c => c.GetProperty("status").GetString() == verdict);
                Console.Out.WriteLine($"{count("pass")} passed, {count("warn")} warnings, {count("fail")} failed");
            }

            return checks.Any(c => c.GetProperty("status").GetString() == "fail") ? 1 : 0;
        });
        return doctor;
    }

    internal static Command Verb(string name, string description)
    {
        var command = new Command(name, description);
        command.Options.Add(Node);
        command.Options.Add(Token);
        command.Options.Add(CaCert);
        command.Options.Add(AsJson);
        return command;
    }

    private static async Task<int> GetAsync(ParseResult parse, string path, Action<JsonElement> print, CancellationToken ct)
    {
        var (status, body) = await SendAsync(parse, HttpMethod.Get, path, ct).ConfigureAwait(false);
        if (status != HttpStatusCode.OK) return Failed(parse, status, body);
        if (parse.GetValue(AsJson)) Console.Out.WriteLine(body);
        else print(JsonDocument.Parse(body).RootElement);
        return 0;
    }

    private static async Task<int> PostAsync(ParseResult parse, string path, CancellationToken ct)
    {
        var (status, body) = await SendAsync(parse, HttpMethod.Post, path, ct).ConfigureAwait(false);
        if (status is not (HttpStatusCode.OK or HttpStatusCode.Accepted)) return Failed(parse, status, body);
        Console.Out.WriteLine(parse.GetValue(AsJson) ? body : string.Join(", ", JsonDocument.Parse(body).RootElement.EnumerateObject().Select(p => $"{p.Name}: {p.Value}")));
        return 0;
    }

    internal static async Task<(HttpStatusCode Status, string Body)> SendAsync(ParseResult parse, HttpMethod method, string path, CancellationToken ct)
    {
        var node = parse.GetValue(Node)!;
        using var handler = new HttpClientHandler();
        if (parse.GetValue(CaCert) is { } caPath)
        {
            var ca = new X509Certificate2Collection();
            ca.ImportFromPemFile(caPath);
            handler.ServerCertificateCustomValidationCallback = (_, presented, _, errors) =>
                presented is not null && (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0 && AegisKV.Cluster.Security.PrivateCa.Signed(presented, ca);
        }

        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
        using var request = new HttpRequestMessage(method, (node.Contains("://", StringComparison.Ordinal) ? node : "http://" + node) + path);
        if ((parse.GetValue(Token) ?? Environment.GetEnvironmentVariable("AEGIS_AUTH_TOKEN")) is { Length: > 0 } token)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        try
        {
            using var response = await http.SendAsync(request, ct).ConfigureAwait(false);
            return (response.StatusCode, await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return (0, e.Message);
        }
    }

    internal static int Failed(ParseResult parse, HttpStatusCode status, string body)
    {
        Console.Error.WriteLine(status == 0
            ? $"aegis: cannot reach {parse.GetValue(Node)}: {body}"
            : $"aegis: {parse.GetValue(Node)} answered {(int)status}: {body.Trim()}");
        return 1;
    }

    private static void PrintCluster(JsonElement cluster)
    {
        var leader = cluster.GetProperty("leader").GetString();
        var rows = cluster.GetProperty("members").EnumerateArray().Select(m =>
        {
            var id = m.GetProperty("nodeId").GetString()!;
            return new[]
            {
                id + (id == leader ? " (leader)" : ""), m.GetProperty("status").GetString()!, m.GetProperty("reachable").GetBoolean() ? "yes" : "NO",
                m.GetProperty("client").GetString() ?? "-", m.GetProperty("shards").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
        });
        Console.Out.Write(Table(["NODE", "STATUS", "REACHABLE", "CLIENTS AT", "SHARDS"], rows));
    }

    private static void PrintShards(JsonElement shards)
    {
        var rows = shards.GetProperty("shards").EnumerateArray().Select(s => new[]
        {
            s.GetProperty("shard").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture), s.GetProperty("slots").GetString()!,
            s.GetProperty("owner").GetString() ?? "-", Holder(s.GetProperty("holder").GetString()),
            s.GetProperty("epoch").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture),
            s.GetProperty("state").GetString() ?? "no answer", Number(s.GetProperty("keys")), Size(s.GetProperty("bytes")),
            s.TryGetProperty("lag", out var lag) ? Number(lag) : "-",
        });
        // With replication, DATA ON is the shard's group and LAG the entries its member furthest behind lacks.
        Console.Out.Write(Table(["SHARD", "SLOTS", "RUNS ON", "DATA ON", "EPOCH", "STATE", "KEYS", "BYTES", "LAG"], rows));
    }

    // A group's record ends with the log sequence of its last change (";1234"), which is for ordering, not for people.
    private static string Holder(string? holder) => holder is null ? "-" : holder.IndexOf(';') is var at and >= 0 ? holder[..at] : holder;

    private static void PrintShardStats(JsonElement stats)
    {
        var rows = stats.GetProperty("nodes").EnumerateArray().Select(n => new[]
        {
            n.GetProperty("nodeId").GetString()!, n.GetProperty("status").GetString()!, Number(n.GetProperty("shards")),
            Number(n.GetProperty("serving")), Number(n.GetProperty("unanswered")), Number(n.GetProperty("keys")), Size(n.GetProperty("bytes")),
        });
        Console.Out.Write(Table(["NODE", "STATUS", "SHARDS", "SERVING", "NO ANSWER", "KEYS", "BYTES"], rows));
    }

    internal static string Number(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number ? value.GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture) : "-";

    // Bytes in binary units for reading; --json has the exact figure.
    internal static string Size(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Number) return "-";
        double bytes = value.GetInt64();
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        var unit = 0;
        while (bytes >= 1024 && unit < units.Length - 1)
        {
            bytes /= 1024;
            unit++;
        }

        return unit == 0 ? $"{bytes:0} B" : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{bytes:0.0} {units[unit]}");
    }

    internal static string Table(string[] header, IEnumerable<string[]> rows)
    {
        var all = new List<string[]> { header };
        all.AddRange(rows);
        var widths = header.Select((_, c) => all.Max(r => r[c].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in all) text.AppendLine(string.Join("  ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
        return text.ToString();
    }
}
