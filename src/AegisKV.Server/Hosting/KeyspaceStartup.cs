using System.Diagnostics;
using Akka.Actor;
using AegisKV.Core;
using AegisKV.Core.Sharding;
using Microsoft.Extensions.Logging;
using AegisKV.Server.Configuration;
using AegisKV.Storage;

namespace AegisKV.Server.Hosting;

/// <summary>
/// The data directory's key-to-shard layout against this node's, checked before anything starts:
/// a fresh directory records the current layout; one written by an earlier release or with another
/// shard count must have its keys re-homed (<see cref="KeyspaceMigration"/>) before the node serves.
/// </summary>
/// <param name="StoredShards">Shards with persisted data; empty when nothing is to be re-homed.</param>
/// <param name="From">The layout found, in words, for the log.</param>
public sealed record KeyspaceStartup(IReadOnlyList<int> StoredShards, string From)
{
    private static readonly KeyspaceStartup Matches = new([], "");

    /// <summary>True when keys must be re-homed before the node serves.</summary>
    public bool MustRehome => StoredShards.Count > 0;

    /// <summary>What must happen before the node serves.</summary>
    /// <exception cref="StartupException">The layout is unknown, or must change on a node started to join a cluster.</exception>
    public static KeyspaceStartup Check(NodeSettings settings)
    {
        if (settings.Wal == WalMode.Off) return Matches;
        var directory = settings.DataDirectory;
        KeyspaceLayout? recorded;
        try
        {
            recorded = KeyspaceLayout.Read(directory);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            throw new StartupException("--data-dir: " + e.Message, e);
        }

        var current = KeyspaceLayout.Current(settings.Shards);
        if (recorded == current) return Matches;
        var stored = KeyspaceLayout.StoredShards(directory);
        // Nothing stored: nothing to move, whatever was recorded; record this node's layout.
        if (stored.Count == 0)
        {
            current.Write(directory);
            return Matches;
        }

        var from = recorded is null
            ? $"scheme {KeyspaceLayout.LegacyScheme} (written before hash slots)"
            : $"{recorded.Shards} shards";
        // Re-homing moves keys between shards that, in a cluster, other nodes may own.
        if (settings.Seeds.Count > 0)
            throw new StartupException(recorded is null
                ? $"--data-dir: '{directory}' maps keys by {from}; start this node once without --seeds to re-home its keys to hash slots"
                : $"--data-dir: '{directory}' holds {from}, not {settings.Shards}; start with --shards {recorded.Shards}, or once without --seeds to re-home its keys");
        return new KeyspaceStartup(stored, from);
    }

    /// <summary>Re-homes the keys, then records the current layout; one log line says what moved.</summary>
    public async Task RehomeAsync(ActorSystem system, ShardSettings shardSettings, NodeSettings settings, ILogger log, CancellationToken cancellationToken)
    {
        if (!MustRehome) return;
        log.LogInformation("Re-homing keys of {Shards} stored shards from {From} to {Scheme} with {Count} shards", StoredShards.Count, From, KeyspaceLayout.SlotScheme, settings.Shards);
        var clock = Stopwatch.StartNew();
        var result = await KeyspaceMigration.RunAsync(system, shardSettings, StoredShards, settings.Shards, cancellationToken).ConfigureAwait(false);
        KeyspaceLayout.Current(settings.Shards).Write(settings.DataDirectory);
        log.LogInformation(
            "Re-homed keys to hash slots: {Moved} of {Keys} keys moved to their new shards, {Expired} expired ones dropped, {Duplicates} duplicates kept in place, in {Elapsed} ms",
            result.Moved, result.Keys, result.Expired, result.Duplicates, clock.ElapsedMilliseconds);
    }
}
