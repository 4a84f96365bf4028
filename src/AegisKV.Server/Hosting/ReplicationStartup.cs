using Akka.Actor;
using Akka.Event;
using AegisKV.Cluster.Custody;
using AegisKV.Cluster.Replication;
using AegisKV.Core;
using AegisKV.Core.Replication;
using AegisKV.Replication;
using AegisKV.Server.Configuration;
using AegisKV.Storage.Replication;

namespace AegisKV.Server.Hosting;

/// <summary>Starts what replica groups need on a node whose shards have more than one copy.</summary>
internal static class ReplicationStartup
{
    /// <summary>The store id of the node's data directory when its shards are replicated (its member id carries it); else null.</summary>
    public static string? StoreId(NodeSettings settings) => settings.ReplicationFactor > 1 ? StoreIdentity.Of(settings.DataDirectory) : null;

    /// <summary>The network and host of replica groups, or nulls without replication.</summary>
    public static (IReplicaNetwork? Network, IActorRef? Host) Start(ActorSystem system, NodeSettings settings, string? storeId, ShardSettings shardSettings,
        ClusterCustody custody, ReplicationStatus status, AegisKV.Core.State.NodeMemory memory)
    {
        if (storeId is null) return (null, null);
        var lease = (long)settings.ReplicationLease.TotalMilliseconds;
        var options = new ReplicaOptions(settings.WriteQuorum, HeartbeatMs: (long)settings.ReplicationHeartbeat.TotalMilliseconds,
            RetryMs: Math.Max(100, (long)settings.ReplicationHeartbeat.TotalMilliseconds), LeaseMs: lease, LeaseMarginMs: lease / 10,
            InSyncLag: settings.ReplicationInSyncLag);
        var network = new ClusterReplicaNetwork(system, settings.NodeId, storeId, settings.Shards, settings.ReplicationFactor, options,
            new ReplicaMetadataStore(settings.DataDirectory), custody, status, settings.ReplaceAfter);
        var log = Logging.GetLogger(system, typeof(DamagedCopies));
        async Task DiscardDamagedCopies()
        {
            try
            {
                await DamagedCopies.DiscardAsync(system, shardSettings, settings.Shards, network.Metadata, status, log).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                log.Error(e, "Could not look for damaged shard copies: {0}", e.Message);
            }
        }

        var host = system.ActorOf(ReplicaHost.Props((shardId, reportGrant) => ShardFollower.Props(shardId, network, shardSettings, memory, reportGrant),
            DiscardDamagedCopies), ReplicaHost.Name);
        network.AttachHost(host);
        return (network, host);
    }
}
