using AegisKV.Server.Hosting;
using AegisKV.Server.Resp;
using Prometheus;

namespace AegisKV.Server.Metrics;

/// <summary>Gauges of one node, read from its state just before each scrape of its registry.</summary>
internal sealed class NodeGauges
{
    private static readonly string[] Statuses = ["joining", "weaklyup", "up", "leaving", "exiting", "down", "removed", "unreachable"];
    private readonly Gauge _keys;
    private readonly Gauge _volatileKeys;
    private readonly Gauge _memoryUsed;
    private readonly Gauge _memoryMax;
    private readonly Gauge _diskFree;
    private readonly Gauge _diskUsed;
    private readonly Gauge _uptime;
    private readonly Gauge _ready;
    private readonly Gauge _shardsServing;
    private readonly Gauge _members;
    private readonly Gauge _replicationLag;
    private readonly Gauge _underReplicated;
    private readonly Counter _viewChanges;
    private readonly Counter _replicationDropped;
    private readonly Counter _replicationSent;
    private readonly Counter _replicationSends;
    private readonly Counter _breakersOpened;
    private readonly Gauge _breakersOpen;
    private readonly Counter _copiesDiscarded;
    private readonly NodeContext _node;
    private readonly NodeReadiness _readiness;
    private readonly Akka.Cluster.Cluster _cluster;

    public NodeGauges(NodeMetrics metrics, NodeContext node, NodeReadiness readiness, Akka.Cluster.Cluster cluster)
    {
        var factory = metrics.Factory;
        _keys = factory.CreateGauge("aegis_keys", "Keys held by this node's shards.");
        _volatileKeys = factory.CreateGauge("aegis_keys_with_expiry", "Keys with an expiry held by this node's shards.");
        _memoryUsed = factory.CreateGauge("aegis_memory_used_bytes", "Bytes of keys, values and per-key overhead held.");
        _memoryMax = factory.CreateGauge("aegis_memory_max_bytes", "The --max-memory limit in bytes (0: unlimited).");
        _diskFree = factory.CreateGauge("aegis_disk_free_bytes", "Free bytes on the data directory's file system.");
        _diskUsed = factory.CreateGauge("aegis_disk_used_bytes", "Used bytes on the data directory's file system.");
        _uptime = factory.CreateGauge("aegis_uptime_seconds", "Seconds since the node started.");
        _ready = factory.CreateGauge("aegis_ready", "1 when the node is ready.");
        _shardsServing = factory.CreateGauge("aegis_shards_owned", "Shards that run and serve on this node now.");
        _members = factory.CreateGauge("aegis_cluster_members", "Cluster members as this node sees them, by status (unreachable counted apart).", ["status"]);
        _replicationLag = factory.CreateGauge("aegis_replication_lag_events", "Log entries the member furthest behind lacks, per group led here.", ["shard"]);
        _underReplicated = factory.CreateGauge("aegis_groups_under_replicated", "Groups led here with a member that has not acknowledged the primary within the lease.");
        _viewChanges = factory.CreateCounter("aegis_view_changes_total", "View changes completed by shards of this node (each a new primary incarnation).");
        _replicationDropped = factory.CreateCounter("aegis_replication_dropped_total", "Replication messages dropped: their member's node was not known to the cluster, or unreachable.");
        _replicationSent = factory.CreateCounter("aegis_replication_messages_sent_total", "Replication messages sent to other nodes.");
        _replicationSends = factory.CreateCounter("aegis_replication_sends_total",
            "Remote messages that carried them: what this node's shards send another node while a send to it runs goes as one.");
        _breakersOpened = factory.CreateCounter("aegis_circuit_breaker_open_total", "Times the breaker in front of a replica group member's node opened: it became unreachable, and sends to it stopped until it was reachable again.");
        _breakersOpen = factory.CreateGauge("aegis_circuit_breakers_open", "Breakers open now in front of replica group members' nodes (each such node unreachable from here).");
        _copiesDiscarded = factory.CreateCounter("aegis_replica_copies_discarded_total", "Shard copies this node discarded because its WAL lost records of them; each rejoined its group empty and caught up.");
        _node = node;
        _readiness = readiness;
        _cluster = cluster;
        metrics.Registry.AddBeforeCollectCallback(Update);
    }

    private void Update()
    {
        var node = _node;
        _keys.Set(node.Memory.Keys);
        _volatileKeys.Set(node.Memory.VolatileKeys);
        _memoryUsed.Set(node.Memory.UsedBytes);
        _memoryMax.Set(node.Settings.MaxMemoryBytes);
        _uptime.Set(node.Statistics.Uptime.TotalSeconds);
        _shardsServing.Set(node.LocalShards.Count);
        var state = _cluster.State;
        foreach (var status in Statuses)
        {
            var count = status == "unreachable"
                ? state.Unreachable.Count
                : state.Members.Count(m => m.Status.ToString().Equals(status, StringComparison.OrdinalIgnoreCase));
            _members.WithLabels(status).Set(count);
        }

        _ready.Set(_readiness.IsReady ? 1 : 0);
        UpdateReplication(node.Replication);
        // The data directory's file system gone: the last values stay.
        if (DataDisk.Of(node.Settings.DataDirectory) is { } disk)
        {
            _diskFree.Set(disk.FreeBytes);
            _diskUsed.Set(disk.UsedBytes);
        }
    }

    private void UpdateReplication(AegisKV.Core.Replication.ReplicationStatus status)
    {
        _underReplicated.Set(status.UnderReplicated);
        _viewChanges.IncTo(status.ViewChanges);
        _replicationDropped.IncTo(status.Dropped);
        _replicationSent.IncTo(status.MessagesSent);
        _replicationSends.IncTo(status.RemoteSends);
        _breakersOpened.IncTo(status.BreakersOpened);
        _breakersOpen.Set(status.BreakersOpen);
        _copiesDiscarded.IncTo(status.CopiesDiscarded);
        foreach (var labels in _replicationLag.GetAllLabelValues())
            if (!int.TryParse(labels[0], System.Globalization.CultureInfo.InvariantCulture, out var shard) || !status.Led.ContainsKey(shard))
                _replicationLag.RemoveLabelled(labels);
        foreach (var (shard, group) in status.Led)
            _replicationLag.WithLabels(shard.ToString(System.Globalization.CultureInfo.InvariantCulture)).Set(group.Lag);
    }
}
