using System.Globalization;
using Akka.Actor;
using AegisKV.Core.Commands;
using AegisKV.Core.Replies;
using AegisKV.Core.State;
using AegisKV.Storage;

namespace AegisKV.Core.Sharding;

/// <summary>What a <see cref="KeyspaceMigration"/> did.</summary>
/// <param name="Keys">Keys found in the stored shards.</param>
/// <param name="Moved">Keys written to the shard that owns them now and deleted where they were.</param>
/// <param name="Expired">Misplaced keys whose expiry had passed: deleted, not moved.</param>
/// <param name="Duplicates">Misplaced keys whose owning shard already held the key: that copy was kept.</param>
public sealed record KeyspaceMigrationResult(long Keys, long Moved, long Expired, long Duplicates);

/// <summary>
/// Re-homes every key of a data directory to the shard that owns it under <see cref="KeySlots"/>,
/// before the node serves: each stored shard is started on its own (outside sharding), exports its
/// map, and every misplaced key is written to its owner (<c>RESTORE</c> without <c>REPLACE</c>, with its
/// absolute expiry) and only then deleted where it was. A crash part way leaves every key in its old shard, its new one, or
/// both with the same value; running again finishes the job, which is why the caller records the new
/// <see cref="KeyspaceLayout"/> only after this returns.
/// </summary>
public static class KeyspaceMigration
{
    private const int BatchSize = 256;
    private static readonly TimeSpan AskTimeout = TimeSpan.FromMinutes(10);

    /// <summary>Re-homes the keys of <paramref name="storedShards"/> over <paramref name="shardCount"/> shards.</summary>
    /// <exception cref="InvalidOperationException">A shard refused a write; nothing is lost, the migration can run again.</exception>
    public static async Task<KeyspaceMigrationResult> RunAsync(
        ActorSystem system, ShardSettings settings, IReadOnlyList<int> storedShards, int shardCount, CancellationToken cancellationToken)
    {
        // Its own account without a limit: moving keys must neither evict them nor be refused for memory.
        var memory = new NodeMemory(0);
        var shards = new Dictionary<int, IActorRef>();
        IActorRef Shard(int id)
        {
            if (!shards.TryGetValue(id, out var shard))
            {
                var name = id.ToString(CultureInfo.InvariantCulture);
                shards[id] = shard = system.ActorOf(ShardActor.Props(name, settings, memory), "keyspace-migration-" + name);
            }

            return shard;
        }

        long keys = 0, moved = 0, expired = 0, duplicates = 0, requestId = 0;
        try
        {
            // Every shard's map as found, before anything moves, so a moved key is not met again.
            var exports = new List<ShardExported>(storedShards.Count);
            foreach (var source in storedShards)
                exports.Add(await Shard(source).Ask<ShardExported>(new ExportShard(source), AskTimeout, cancellationToken).ConfigureAwait(false));

            foreach (var export in exports)
            {
                var source = export.ShardId;
                keys += export.Snapshot.Entries.Length;
                var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                var misplaced = new List<SnapshotEntry>();
                foreach (var entry in export.Snapshot.Entries)
                    if (KeySlots.ShardOf(entry.Key, shardCount) != source) misplaced.Add(entry);

                for (var start = 0; start < misplaced.Count; start += BatchSize)
                {
                    var batch = misplaced.GetRange(start, Math.Min(BatchSize, misplaced.Count - start));
                    foreach (var group in batch.Where(e => e.ExpireAtMs == 0 || e.ExpireAtMs > now).GroupBy(e => KeySlots.ShardOf(e.Key, shardCount)))
                    {
                        var writes = group.Select(e => new ShardCommand(CommandId.Restore, RestoreArguments(e))).ToArray();
                        var replies = await SendAsync(Shard(group.Key), group.Key, ++requestId, writes, cancellationToken).ConfigureAwait(false);
                        foreach (var reply in replies)
                        {
                            if (reply is ErrorReply) duplicates++;
                            else moved++;
                        }
                    }

                    expired += batch.Count(e => e.ExpireAtMs != 0 && e.ExpireAtMs <= now);
                    var delete = new ShardCommand(CommandId.Del, batch.Select(e => e.Key.ToArray()).ToArray());
                    await SendAsync(Shard(source), source, ++requestId, [delete], cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            await Task.WhenAll(shards.Values.Select(s => s.GracefulStop(AskTimeout, StopShard.Instance))).ConfigureAwait(false);
        }

        await WaitUntilDurableAsync(system, settings, cancellationToken).ConfigureAwait(false);
        return new KeyspaceMigrationResult(keys, moved, expired, duplicates);
    }

    // With --wal=write the moves are fsync'd within a second, not before their replies: wait for that fsync,
    // so a power loss cannot take back moves the new layout record then says were made.
    private static async Task WaitUntilDurableAsync(ActorSystem system, ShardSettings settings, CancellationToken cancellationToken)
    {
        var journal = Akka.Persistence.Persistence.Instance.Apply(system).JournalFor(settings.JournalPluginId);
        var before = await journal.Ask<WalStats>(GetWalStats.Instance, AskTimeout, cancellationToken).ConfigureAwait(false);
        if (before.Mode != WalMode.Write) return;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((await journal.Ask<WalStats>(GetWalStats.Instance, AskTimeout, cancellationToken).ConfigureAwait(false)).Fsyncs <= before.Fsyncs)
        {
            if (DateTime.UtcNow > deadline) throw new InvalidOperationException("the WAL did not fsync the moved keys within 30 s");
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    private static byte[][] RestoreArguments(SnapshotEntry entry) =>
        [entry.Key.ToArray(), IntegerText.Format(entry.ExpireAtMs), ShardState.DumpPayload(entry.Data), "ABSTTL"u8.ToArray()];

    private static async Task<Reply[]> SendAsync(IActorRef shard, int shardId, long requestId, ShardCommand[] commands, CancellationToken cancellationToken)
    {
        var answer = await shard.Ask<ShardBatchReply>(new ShardBatch(shardId, requestId, commands), AskTimeout, cancellationToken).ConfigureAwait(false);
        foreach (var reply in answer.Replies)
            if (reply is ErrorReply error && !error.ToString().StartsWith("BUSYKEY", StringComparison.Ordinal))
                throw new InvalidOperationException($"shard {shardId} refused a write while re-homing keys: {error}");
        return answer.Replies;
    }
}
