using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using AegisKV.Core.Sharding;
using AegisKV.Storage.Replication;

namespace AegisKV.Core.Replication;

/// <summary>
/// At start-up, before any replica on this node reads its log: each shard whose records the WAL lost to corruption
/// has its copy here discarded (ADR 0016). The mark goes into the replica's metadata first, so a copy discarded half
/// way is still known to be lost; then its snapshots go, and its log is reset to empty. The promise stays. The
/// replica then rejoins its group under its name, takes no part in view changes, and catches up from the primary.
/// </summary>
public static class DamagedCopies
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Discards the damaged copies among <paramref name="shards"/> shards, counting each on <paramref name="status"/>.</summary>
    public static async Task DiscardAsync(ActorSystem system, ShardSettings settings, int shards, ReplicaMetadataStore metadata,
        ReplicationStatus status, ILoggingAdapter log)
    {
        var persistence = Persistence.Instance.Apply(system);
        var wal = await persistence.JournalFor(settings.JournalPluginId).Ask<WalReplicaLog>(GetReplicaLog.Instance, Timeout).ConfigureAwait(false);
        var snapshots = persistence.SnapshotStoreFor(settings.SnapshotPluginId);
        for (var shardId = 0; shardId < shards; shardId++)
        {
            var persistenceId = ShardActor.PersistenceIdOf(shardId);
            if (wal.CorruptionOf(persistenceId) is not { } corruption) continue;
            try
            {
                // A damaged metadata file throws here: without the promise it holds, the copy cannot take part safely.
                metadata.Save(persistenceId, metadata.Load(persistenceId) with { Rejoining = true });
                var deleted = await snapshots.Ask<object>(new DeleteSnapshots(persistenceId, new SnapshotSelectionCriteria(long.MaxValue)), Timeout)
                    .ConfigureAwait(false);
                if (deleted is DeleteSnapshotsFailure failure) throw failure.Cause;
                await wal.Reset(persistenceId, 0, 0).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or AskTimeoutException)
            {
                log.Error("Shard {0}: this node's copy lost records ({1}), and could not be discarded: {2}; it does not serve here", shardId,
                    corruption.Message, e.Message);
                continue;
            }

            status.CopyDiscarded();
            log.Warning("Shard {0}: this node's copy lost records to corruption in {1} at offset {2}; it was discarded, and the copy rejoins its group " +
                        "empty: it takes no part in view changes until it has caught up from the primary", shardId, corruption.FilePath, corruption.Offset);
        }
    }
}
