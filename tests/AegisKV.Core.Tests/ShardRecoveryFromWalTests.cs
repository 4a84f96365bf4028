using Akka.Actor;
using Akka.Configuration;
using AegisKV.Core.Commands;
using AegisKV.Core.Replies;
using AegisKV.Core.Sharding;
using AegisKV.Core.State;
using AegisKV.Storage;
using static AegisKV.Core.Tests.Text;

namespace AegisKV.Core.Tests;

/// <summary>Shard actors on the real WAL journal and snapshot store.</summary>
public sealed class ShardRecoveryFromWalTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "aegis-core-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_data)) Directory.Delete(_data, recursive: true);
    }

    private ActorSystem StartSystem() => ActorSystem.Create("wal", ConfigurationFactory.ParseString($$"""
        akka.persistence.journal.plugin = "akka.persistence.journal.aegis-wal"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.aegis-wal"
        aegis.shard.snapshot-every = 10
        """).WithFallback(WalStorage.DataDirectoryConfig(_data)).WithFallback(ShardSettings.DefaultConfig()).WithFallback(WalStorage.DefaultConfig()));

    private static async Task<string> Send(IActorRef shard, string line)
    {
        var args = Args(line);
        var reply = await shard.Ask<ShardBatchReply>(new ShardBatch(0, 1, [new ShardCommand(CommandTable.Find(args[0])!.Id, args[1..])]), TimeSpan.FromSeconds(10));
        return Show(reply.Replies[0]);
    }

    // Sequence numbers of the snapshot files written so far ({sequence number:D20}-{ticks}.snap).
    private long[] SnapshotSequenceNumbers()
    {
        var directory = Path.Combine(_data, "snapshots");
        if (!Directory.Exists(directory)) return [];
        return [.. Directory.GetFiles(directory, "*.snap", SearchOption.AllDirectories).Select(f => long.Parse(Path.GetFileName(f)[..20], System.Globalization.CultureInfo.InvariantCulture)).Order()];
    }

    [Fact]
    public async Task A_shard_stopped_with_nowhere_to_hand_off_should_save_a_snapshot_through_its_last_write_and_start_from_it()
    {
        using (var system = StartSystem())
        {
            var shard = system.ActorOf(ShardActor.Props("0", ShardSettings.Create(system.Settings.Config), new NodeMemory(0)));
            for (var i = 1; i <= 3; i++) Assert.Equal("OK", await Send(shard, $"SET k{i} v{i}"));
            Assert.Empty(SnapshotSequenceNumbers()); // fewer writes than snapshot-every
            await shard.GracefulStop(TimeSpan.FromSeconds(10), StopShard.Instance);
            // The epoch record, then the three writes.
            Assert.Equal([4L], SnapshotSequenceNumbers());
        }

        using (var system = StartSystem())
        {
            var shard = system.ActorOf(ShardActor.Props("0", ShardSettings.Create(system.Settings.Config), new NodeMemory(0)));
            Assert.Equal("\"v3\"", await Send(shard, "GET k3"));
            // Its new epoch is one more write: the next stop saves through it, and keeps the one before.
            await shard.GracefulStop(TimeSpan.FromSeconds(10), StopShard.Instance);
            Assert.Equal([4L, 5L], SnapshotSequenceNumbers());
        }
    }

    [Fact]
    public async Task A_damaged_record_that_the_last_snapshot_covers_should_not_stop_the_shard()
    {
        using (var system = StartSystem())
        {
            var shard = system.ActorOf(ShardActor.Props("0", ShardSettings.Create(system.Settings.Config), new NodeMemory(0)));
            for (var i = 1; i <= 3; i++) Assert.Equal("OK", await Send(shard, $"SET k{i} v{i}"));
            await shard.GracefulStop(TimeSpan.FromSeconds(10), StopShard.Instance);
        }

        // A byte of the newest record (SET k3) flipped: without the snapshot the shard would refuse to serve.
        var segment = Directory.GetFiles(Path.Combine(_data, "wal"), "*.wal").Order(StringComparer.Ordinal).Last();
        var bytes = await File.ReadAllBytesAsync(segment);
        // The records end where the zeros the segment is filled ahead with begin.
        bytes[bytes.AsSpan().LastIndexOfAnyExcept((byte)0) - 10] ^= 0xFF;
        await File.WriteAllBytesAsync(segment, bytes);

        using (var system = StartSystem())
        {
            var local = new LocalShards();
            var shard = system.ActorOf(ShardActor.Props("0", ShardSettings.Create(system.Settings.Config), new NodeMemory(0), local));
            Assert.Equal("\"v3\"", await Send(shard, "GET k3"));
            Assert.False(local.IsRefused(0, out var reason), reason);
        }
    }

    [Fact]
    public async Task An_unreadable_latest_snapshot_should_fall_back_to_the_previous_one_and_lose_nothing()
    {
        var written = 0;
        using (var system = StartSystem())
        {
            var shard = system.ActorOf(ShardActor.Props("0", ShardSettings.Create(system.Settings.Config), new NodeMemory(0)));
            // Snapshots are saved in the background, one at a time, and a shard starts the next only after a later
            // write: write until two are on disk (on a busy machine a save may outlast several writes), then a few more.
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (written < 45 || (SnapshotSequenceNumbers().Length < 2 && clock.Elapsed < TimeSpan.FromSeconds(20)))
            {
                Assert.Equal("OK", await Send(shard, $"SET k{written} v{written}"));
                written++;
                if (written >= 45) await Task.Delay(10);
            }

            for (var i = 0; i < 5; i++, written++) Assert.Equal("OK", await Send(shard, $"SET k{written} v{written}"));
            await system.Terminate();
        }

        var snapshots = Directory.GetFiles(Path.Combine(_data, "snapshots"), "*.snap", SearchOption.AllDirectories).Order().ToArray();
        Assert.True(snapshots.Length >= 2, $"the previous snapshot is kept, found {snapshots.Length}");
        var latest = snapshots[^1];
        var bytes = File.ReadAllBytes(latest);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(latest, bytes);

        using (var system = StartSystem())
        {
            var shard = system.ActorOf(ShardActor.Props("0", ShardSettings.Create(system.Settings.Config), new NodeMemory(0)));
            var recovered = await shard.Ask<ShardRecovered>(new RecoverShard(0), TimeSpan.FromSeconds(10));
            Assert.Equal(written, recovered.Keys);
            Assert.Equal("\"v0\"", await Send(shard, "GET k0"));
            Assert.Equal($"\"v{written - 1}\"", await Send(shard, $"GET k{written - 1}"));
            await system.Terminate();
        }
    }
}
