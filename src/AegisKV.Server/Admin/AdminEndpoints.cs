using System.Text;
using System.Text.Json;
using Akka.Actor;
using Akka.Cluster;
using AegisKV.Cluster;
using AegisKV.Core.Sharding;
using AegisKV.Server.Configuration;
using AegisKV.Server.Hosting;
using AegisKV.Server.Topology;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace AegisKV.Server.Admin;

/// <summary>
/// The admin API under <c>/admin/</c> on the health port, which <c>aegis cluster</c>, <c>aegis shards</c>,
/// <c>aegis top</c> and <c>aegis doctor</c> call: the cluster's members, its shards, every member's figures, the
/// membership verbs (leave, down, down-unreachable) and the node checked against the production checklist. With
/// <c>--auth-token</c> set, every call needs <c>Authorization: Bearer TOKEN</c>, as every other door does.
/// </summary>
public static class AdminEndpoints
{
    private static readonly TimeSpan ShardStatsTimeout = TimeSpan.FromSeconds(3);

    /// <summary>Adds the endpoints to <paramref name="app"/>.</summary>
    public static void Map(WebApplication app)
    {
        var admin = app.MapGroup("/admin").AddEndpointFilter(async (context, next) =>
            TokenCheck.IsAuthorized(context.HttpContext) ? await next(context).ConfigureAwait(false) : Results.Json(new { error = "Authorization: Bearer <auth token> required" }, statusCode: 401));
        // Two parameters, so that the lambdas bind as endpoints returning a result, not as a RequestDelegate.
        admin.MapGet("/cluster", async (HttpContext http, CancellationToken _) => Json(WriteCluster, await TopologyAsync(http).ConfigureAwait(false)));
        admin.MapGet("/shards", async (HttpContext http, CancellationToken _) => Json(WriteShards, await FiguresAsync(http).ConfigureAwait(false)));
        admin.MapGet("/shards/stats", async (HttpContext http, CancellationToken _) => Json(WriteShardStats, await FiguresAsync(http).ConfigureAwait(false)));
        admin.MapGet("/overview", async (HttpContext http, CancellationToken _) =>
            Results.Bytes(Monitoring.OverviewJson.ToUtf8(await Overview(http).GetAsync(http.RequestAborted).ConfigureAwait(false), indented: true), "application/json"));
        admin.MapGet("/doctor", (HttpContext http, CancellationToken _) =>
        {
            var node = http.RequestServices.GetRequiredService<NodeService>().Context ?? throw new InvalidOperationException("the node has not started yet");
            var checks = DoctorReport.Run(node, http.RequestServices.GetService<Network.Tls.ServerCertificate>(),
                Akka.Cluster.Cluster.Get(http.RequestServices.GetRequiredService<ActorSystem>()));
            return Results.Json(new { node = node.Settings.NodeId, checks });
        });
        admin.MapPost("/cluster/leave/{node}", (HttpContext http, string node) => Change(http, node, (cluster, member) => cluster.Leave(member.Address), "leaving"));
        admin.MapPost("/cluster/down/{node}", (HttpContext http, string node) => Change(http, node, (cluster, member) => cluster.Down(member.Address), "downed"));
        admin.MapPost("/cluster/down-unreachable", (HttpContext http, CancellationToken _) =>
        {
            var cluster = Akka.Cluster.Cluster.Get(http.RequestServices.GetRequiredService<ActorSystem>());
            var downed = cluster.State.Unreachable.Select(m => ClusterRoles.NodeIdOf(m)).ToList();
            foreach (var member in cluster.State.Unreachable) cluster.Down(member.Address);
            return Results.Json(new { downed });
        });
    }

    private static ClusterTopology View(HttpContext http) =>
        http.RequestServices.GetRequiredService<NodeService>().Topology ?? throw new InvalidOperationException("the node has not started yet");

    private static Monitoring.ClusterOverview Overview(HttpContext http) =>
        http.RequestServices.GetRequiredService<NodeService>().Overview ?? throw new InvalidOperationException("the node has not started yet");

    private static Task<Topology.Topology> TopologyAsync(HttpContext http) => View(http).GetAsync(http.RequestAborted);

    private static async Task<(Topology.Topology Topology, ShardStats?[] Stats)> FiguresAsync(HttpContext http)
    {
        var view = View(http);
        var stats = view.ShardStatsAsync(ShardStatsTimeout);
        return (await view.GetAsync(http.RequestAborted).ConfigureAwait(false), await stats.ConfigureAwait(false));
    }

    private static IResult Change(HttpContext http, string nodeId, Action<Akka.Cluster.Cluster, Member> act, string done)
    {
        var cluster = Akka.Cluster.Cluster.Get(http.RequestServices.GetRequiredService<ActorSystem>());
        var member = cluster.State.Members.FirstOrDefault(m => ClusterRoles.NodeIdOf(m) == nodeId)
                     ?? cluster.State.Unreachable.FirstOrDefault(m => ClusterRoles.NodeIdOf(m) == nodeId);
        if (member is null) return Results.Json(new { error = $"no member with node id '{nodeId}'" }, statusCode: 404);
        act(cluster, member);
        return Results.Json(new Dictionary<string, string> { [done] = nodeId }, statusCode: 202);
    }

    private static IResult Json<T>(Action<Utf8JsonWriter, T> write, T what)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true })) write(json, what);
        return Results.Bytes(buffer.ToArray(), "application/json");
    }

    private static void WriteCluster(Utf8JsonWriter json, Topology.Topology topology)
    {
        json.WriteStartObject();
        json.WriteString("self", topology.Self);
        json.WriteString("leader", topology.Leader);
        json.WriteStartArray("members");
        foreach (var node in topology.Nodes)
        {
            json.WriteStartObject();
            json.WriteString("nodeId", node.NodeId);
            json.WriteString("status", node.Status);
            json.WriteBoolean("reachable", node.Reachable);
            json.WriteString("client", node.ClientEndpoint ?? node.TlsClientEndpoint);
            json.WriteString("gossip", node.Address);
            json.WriteNumber("shards", topology.Shards.Count(s => s.Owner == node.NodeId));
            json.WriteStartArray("roles");
            foreach (var role in node.Roles) json.WriteStringValue(role);
            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteShards(Utf8JsonWriter json, (Topology.Topology Topology, ShardStats?[] Stats) figures)
    {
        json.WriteStartObject();
        json.WriteStartArray("shards");
        foreach (var shard in figures.Topology.Shards)
        {
            var stats = figures.Stats[shard.Shard];
            json.WriteStartObject();
            json.WriteNumber("shard", shard.Shard);
            json.WriteString("slots", $"{shard.FirstSlot}-{shard.LastSlot}");
            json.WriteString("owner", shard.Owner);
            json.WriteString("holder", shard.Holder);
            json.WriteNumber("epoch", shard.Epoch);
            Monitoring.OverviewJson.WriteShardFigures(json, stats);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    // Per member: the shards running there and the keys and bytes they hold, as the shards themselves answered.
    private static void WriteShardStats(Utf8JsonWriter json, (Topology.Topology Topology, ShardStats?[] Stats) figures)
    {
        json.WriteStartObject();
        json.WriteStartArray("nodes");
        foreach (var node in figures.Topology.Nodes)
        {
            long shards = 0, serving = 0, keys = 0, bytes = 0, unanswered = 0;
            foreach (var shard in figures.Topology.Shards)
            {
                if (shard.Owner != node.NodeId) continue;
                shards++;
                if (figures.Stats[shard.Shard] is not { } stats)
                {
                    unanswered++;
                    continue;
                }

                if (stats.Mode == ShardMode.Serving) serving++;
                keys += stats.Keys;
                bytes += stats.Bytes;
            }

            json.WriteStartObject();
            json.WriteString("nodeId", node.NodeId);
            json.WriteString("status", node.Status);
            json.WriteNumber("shards", shards);
            json.WriteNumber("serving", serving);
            json.WriteNumber("unanswered", unanswered);
            json.WriteNumber("keys", keys);
            json.WriteNumber("bytes", bytes);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }
}
