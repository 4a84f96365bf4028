using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace AegisKV.Server.Cli;

/// <summary>
/// <c>aegis top</c>: the dashboard's figures in a terminal, redrawn every second from any node's
/// <c>/admin/overview</c>; <c>--once</c> prints one frame and exits (1 when the node cannot be reached).
/// </summary>
internal static class TopCommand
{
    private static readonly Option<bool> Once = new("--once") { Description = "Print one frame and exit." };

    private static readonly Option<double> Interval = new("--interval")
    {
        Description = "Seconds between frames.",
        DefaultValueFactory = _ => 1.0,
    };

    public static Command Create()
    {
        var top = AdminCommands.Verb("top", "A live view of the cluster: each member's status, role, ops/s, errors/s, p99 latency, memory, "
                                            + "disk, fsync p99, connections and keys, and where the shards run.");
        top.Options.Add(Once);
        top.Options.Add(Interval);
        top.SetAction(RunAsync);
        return top;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken ct)
    {
        var once = parse.GetValue(Once);
        var interval = TimeSpan.FromSeconds(Math.Max(0.2, parse.GetValue(Interval)));
        var redraw = !once && !Console.IsOutputRedirected;
        while (true)
        {
            var (status, body) = await AdminCommands.SendAsync(parse, HttpMethod.Get, "/admin/overview", ct).ConfigureAwait(false);
            if (once && status != HttpStatusCode.OK) return AdminCommands.Failed(parse, status, body);
            var frame = status == HttpStatusCode.OK
                ? parse.GetValue(AdminCommands.AsJsonOption) ? body.TrimEnd() + Environment.NewLine : Frame(parse.GetValue(AdminCommands.NodeOption)!, JsonDocument.Parse(body).RootElement)
                : $"{DateTime.Now:HH:mm:ss} cannot read {parse.GetValue(AdminCommands.NodeOption)}: {(status == 0 ? body : $"{(int)status} {body.Trim()}")}{Environment.NewLine}";
            // Home and clear, then the frame: a terminal shows the newest frame in place.
            Console.Out.Write(redraw ? "\u001b[H\u001b[2J" + frame : frame);
            if (once) return 0;
            try
            {
                await Task.Delay(interval, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return 0;
            }
        }
    }

    /// <summary>One frame of <c>aegis top</c> from the overview JSON.</summary>
    internal static string Frame(string node, JsonElement overview)
    {
        var members = overview.GetProperty("members").EnumerateArray().ToList();
        var shards = overview.GetProperty("shards").EnumerateArray().ToList();
        var leader = overview.GetProperty("leader").GetString();
        double ops = 0;
        foreach (var m in members)
            if (m.GetProperty("figures") is { ValueKind: JsonValueKind.Object } f) ops += f.GetProperty("opsPerSecond").GetDouble();
        var moving = shards.Count(s => s.GetProperty("state").GetString() != "serving");
        var lagging = shards.Count(s => s.GetProperty("lag") is { ValueKind: JsonValueKind.Number } lag && lag.GetInt64() > 0);
        var at = DateTimeOffset.FromUnixTimeMilliseconds(overview.GetProperty("at").GetInt64()).ToLocalTime();

        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"AegisKV via {node} at {at:HH:mm:ss}: {members.Count} members, leader {leader ?? "none"}, "
                                                      + $"{shards.Count} shards ({moving} moving or not answering, {lagging} lagging), {ops:0} ops/s");
        text.AppendLine();
        text.Append(AdminCommands.Table(
            ["NODE", "STATUS", "ROLE", "UPTIME", "OPS/S", "ERR/S", "P99", "MEMORY", "DISK FREE", "FSYNC P99", "CONNS", "KEYS"],
            members.Select(m => Row(m))));
        text.AppendLine();
        var owners = shards.GroupBy(s => s.GetProperty("owner").GetString() ?? "(none)").OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key} {g.Count()}");
        text.AppendLine("SHARDS RUN ON  " + string.Join("  ", owners));
        return text.ToString();
    }

    private static string[] Row(JsonElement m)
    {
        var id = m.GetProperty("nodeId").GetString()!;
        var status = m.GetProperty("reachable").GetBoolean() ? m.GetProperty("status").GetString()! : "UNREACHABLE";
        var primaries = m.GetProperty("primaries").GetInt32();
        var followers = m.GetProperty("followers").GetInt32();
        var role = (m.GetProperty("leader").GetBoolean() ? "leader, " : "") + $"{primaries} prim" + (followers > 0 ? $", {followers} foll" : "");
        if (m.GetProperty("figures") is not { ValueKind: JsonValueKind.Object } f)
            return [id, status, role, "-", "-", "-", "-", "-", "-", "-", "-", "-"];
        if (!f.GetProperty("ready").GetBoolean() && status == "Up") status = "Up (not ready)";
        var max = f.GetProperty("memoryMaxBytes").GetInt64();
        var memory = AdminCommands.Size(f.GetProperty("memoryUsedBytes")) + (max > 0
            ? string.Create(CultureInfo.InvariantCulture, $" ({100.0 * f.GetProperty("memoryUsedBytes").GetInt64() / max:0}%)")
            : "");
        return
        [
            id, status, role, Uptime(f.GetProperty("uptimeSeconds").GetInt64()),
            f.GetProperty("opsPerSecond").GetDouble().ToString("0", CultureInfo.InvariantCulture),
            f.GetProperty("errorsPerSecond").GetDouble().ToString("0.#", CultureInfo.InvariantCulture),
            Micros(f.GetProperty("p99Micros").GetInt64()), memory, AdminCommands.Size(f.GetProperty("diskFreeBytes")),
            Micros(f.GetProperty("fsyncP99Micros").GetInt64()), AdminCommands.Number(f.GetProperty("connections")), AdminCommands.Number(f.GetProperty("keys")),
        ];
    }

    // The upper bound of the p99's power-of-two bucket, so "≤".
    private static string Micros(long micros) => micros < 0 ? "-" : micros >= 1000
        ? string.Create(CultureInfo.InvariantCulture, $"≤{micros / 1000.0:0.#} ms")
        : string.Create(CultureInfo.InvariantCulture, $"≤{micros} µs");

    private static string Uptime(long seconds) => seconds switch
    {
        >= 86400 => $"{seconds / 86400}d {seconds % 86400 / 3600}h",
        >= 3600 => $"{seconds / 3600}h {seconds % 3600 / 60}m",
        >= 60 => $"{seconds / 60}m {seconds % 60}s",
        _ => $"{seconds}s",
    };
}
