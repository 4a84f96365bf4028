using System.Collections.Concurrent;
using System.Text;
using Akka.Actor;
using Akka.Configuration;
using AegisKV.Core.Replication;
using AegisKV.Core.Sharding;
using AegisKV.Core.State;
using AegisKV.Replication;
using AegisKV.Storage;
using AegisKV.Storage.Replication;

namespace AegisKV.Core.Tests;

/// <summary>A shard's follower on the real WAL journal and snapshot store, driven by hand as its primary would.</summary>
public sealed class ShardFollowerTests : IDisposable
{
    private const string Primary = "p/00000000";
    private static readonly Epoch Epoch = new(1, Primary);
    private readonly string _data = Path.Combine(Path.GetTempPath(), "aegis-follower-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_data)) Directory.Delete(_data, recursive: true);
    }

    private ActorSystem StartSystem() => ActorSystem.Create("follower", ConfigurationFactory.ParseString("""
        akka.persistence.journal.plugin = "akka.persistence.journal.aegis-wal"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.aegis-wal"
        """).WithFallback(WalStorage.DataDirectoryConfig(_data)).WithFallback(ShardSettings.DefaultConfig()).WithFallback(WalStorage.DefaultConfig()));

    [Fact]
    public async Task Snapshots_installed_one_after_another_should_each_replace_the_map_and_the_log_durably()
    {
        var network = new RecordingNetwork(_data);
        using (var system = StartSystem())
        {
            var memory = new NodeMemory(0);
            var follower = system.ActorOf(ShardFollower.Props(0, network, ShardSettings.Create(system.Settings.Config), memory, _ => { }));

            follower.Tell(Install(system, network, 10, keys: 5));
            await network.ReplyAsync(10);
            Assert.Equal(5, memory.Keys);

            // The second install finds the first one's writes done: it must still run on the follower's own state.
            follower.Tell(Install(system, network, 20, keys: 8));
            await network.ReplyAsync(20);
            Assert.Equal(8, memory.Keys);
            await system.Terminate();
        }

        // Restarted, the follower holds the second image, and its log ends where that image does.
        using (var system = StartSystem())
        {
            var memory = new NodeMemory(0);
            var follower = system.ActorOf(ShardFollower.Props(0, network, ShardSettings.Create(system.Settings.Config), memory, _ => { }));
            follower.Tell(new Append(Primary, network.Self, Epoch, 1, 20, [], 20, 1));
            var reply = await network.ReplyAsync(20);
            Assert.True(reply.Success, $"the restarted follower refused an append after the second image: {reply}");
            Assert.Equal(8, memory.Keys);

            // Asked through its node's host, as placement asks, it tells how its copy stands.
            var host = system.ActorOf(ReplicaHost.Props((shard, grant) => ShardFollower.Props(shard, network, ShardSettings.Create(system.Settings.Config), memory, grant)));
            var state = await host.Ask<CopyState>(new GetCopyState(1), TimeSpan.FromSeconds(10));
            Assert.Equal(new CopyState(1, network.Self, false, false, 0, 0, 0, []), state with { InSync = [] });
            state = await follower.Ask<CopyState>(new GetCopyState(0), TimeSpan.FromSeconds(10));
            Assert.Equal(new CopyState(0, network.Self, false, false, 1, 20, 20, []), state with { InSync = [] });
            await system.Terminate();
        }
    }

    private static InstallSnapshot Install(ActorSystem system, RecordingNetwork network, long sequence, int keys)
    {
        var state = new ShardState(new NodeMemory(0));
        for (var i = 0; i < keys; i++)
            state.Apply(new ValueSet(1, Encoding.UTF8.GetBytes($"k{sequence}-{i}"), Encoding.UTF8.GetBytes("v"), 0));
        var snapshot = state.ToSnapshot();
        var payload = system.Serialization.FindSerializerFor(snapshot).ToBinary(snapshot);
        var image = new SnapshotImage(new SnapshotBase(sequence, 1, new GroupConfiguration([Primary, network.Self])), payload);
        return new InstallSnapshot(Primary, network.Self, Epoch, image, sequence, 0);
    }

    private sealed class RecordingNetwork(string data) : IReplicaNetwork
    {
        private readonly ConcurrentQueue<ReplicaMessage> _sent = new();

        public string Self => "f/11111111";

        public ReplicaOptions Options { get; } = new(WriteQuorum.Majority);

        public ReplicationStatus Status { get; } = new();

        public ReplicaMetadataStore Metadata { get; } = new(data);

        public void Send(int shardId, ReplicaMessage message) => _sent.Enqueue(message);

        public GroupConfiguration? InitialGroup(int shardId) => null;

        public Task<GroupConfiguration?> RecordedGroupAsync(int shardId, GroupConfiguration proposed) => Task.FromResult<GroupConfiguration?>(null);

        public GroupStep? NextGroupStep(int shardId, GroupConfiguration current) => null;

        public Task<bool> RecordGroupChangeAsync(int shardId, GroupConfiguration group, long sequence) => Task.FromResult(false);

        // The follower's answer matching through <paramref name="match"/>, which it sends once that is durable.
        public async Task<AppendReply> ReplyAsync(long match)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(10))
            {
                while (_sent.TryDequeue(out var message))
                    if (message is AppendReply reply && reply.Match == match) return reply;
                await Task.Delay(20);
            }

            throw new TimeoutException($"the follower never answered through {match}");
        }
    }
}
