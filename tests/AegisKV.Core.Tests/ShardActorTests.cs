using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit.Xunit2;
using AegisKV.Core.Commands;
using AegisKV.Core.Replies;
using AegisKV.Core.Sharding;
using AegisKV.Core.State;
using AegisKV.Storage;
using static AegisKV.Core.Tests.Text;

namespace AegisKV.Core.Tests;

// On the WAL journal and snapshot store, in a directory of their own: shards write to the WAL directly.
public sealed class ShardActorTests : TestKit
{
    private static readonly Config Shards = ConfigurationFactory.ParseString("""
        aegis.shard {
          journal-plugin = "akka.persistence.journal.aegis-wal"
          snapshot-plugin = "akka.persistence.snapshot-store.aegis-wal"
          snapshot-every = 5
        }
        """).WithFallback(ShardSettings.DefaultConfig()).WithFallback(WalStorage.DefaultConfig());

    private readonly ShardSettings _settings = ShardSettings.Create(Shards);
    private readonly NodeMemory _memory = new(0);
    private readonly string _data;

    public ShardActorTests() : this(Path.Combine(Path.GetTempPath(), "aegis-shards-" + Guid.NewGuid().ToString("N")))
    {
    }

    private ShardActorTests(string data) : base(WalStorage.DataDirectoryConfig(data).WithFallback(Shards)) => _data = data;

    /// <inheritdoc />
    protected override void AfterAll()
    {
        base.AfterAll();
        if (Directory.Exists(_data)) Directory.Delete(_data, recursive: true);
    }

    private IActorRef StartShard(int id = 1) => Sys.ActorOf(ShardActor.Props(id.ToString(), _settings, _memory));

    private static long _requestId;

    // As a connection sends them: a batch of commands for one shard, answered once, by request id.
    private static async Task<Reply[]> Send(IActorRef shard, int id, params ShardCommand[] commands)
    {
        var requestId = Interlocked.Increment(ref _requestId);
        var reply = await shard.Ask<ShardBatchReply>(new ShardBatch(id, requestId, commands), TimeSpan.FromSeconds(5));
        Assert.Equal(requestId, reply.RequestId);
        return reply.Replies;
    }

    private static ShardCommand Command(string line)
    {
        var args = Args(line);
        return new ShardCommand(CommandTable.Find(args[0])!.Id, args[1..]);
    }

    private static async Task<string> Ask(IActorRef shard, string line, int id = 1) => Show((await Send(shard, id, Command(line)))[0]);

    [Fact]
    public async Task A_restarted_shard_should_recover_its_keys_from_the_journal_and_snapshots()
    {
        var shard = StartShard();
        for (var i = 0; i < 12; i++) Assert.Equal("OK", await Ask(shard, $"SET k{i} v{i}"));
        Assert.Equal("(integer) 1", await Ask(shard, "DEL k0"));
        Watch(shard);
        shard.Tell(StopShard.Instance);
        ExpectTerminated(shard);
        Assert.Equal(0, _memory.Keys);

        var again = StartShard();
        var recovered = await again.Ask<ShardRecovered>(new RecoverShard(1), TimeSpan.FromSeconds(5));
        Assert.Equal(11, recovered.Keys);
        Assert.True(recovered.Epoch >= 2, "each incarnation starts a higher epoch");
        Assert.Equal("(nil)", await Ask(again, "GET k0"));
        Assert.Equal("\"v11\"", await Ask(again, "GET k11"));
    }

    [Fact]
    public async Task Pipelined_commands_should_take_effect_in_order()
    {
        var shard = StartShard();
        var asks = new List<Task<Reply[]>>();
        for (var i = 1; i <= 25; i++)
        {
            // Some batches carry one command, some several, as reads of a connection bring them.
            asks.Add(Send(shard, 1, Command("INCR n")));
            asks.Add(Send(shard, 1, Command("GET n"), Command("INCR n"), Command("GET n")));
        }

        var replies = (await Task.WhenAll(asks)).SelectMany(r => r).ToArray();
        for (var i = 1; i <= 50; i++)
        {
            Assert.Equal($"(integer) {i}", Show(replies[(i - 1) * 2]));
            Assert.Equal($"\"{i}\"", Show(replies[(i - 1) * 2 + 1]));
        }
    }

    [Fact]
    public async Task Writes_should_be_refused_with_OOM_at_the_memory_limit_while_reads_and_deletes_work()
    {
        var small = new NodeMemory(1000);
        var shard = Sys.ActorOf(ShardActor.Props("2", _settings, small));
        var outcome = "";
        for (var i = 0; i < 50 && outcome.Length == 0; i++)
        {
            var reply = await Ask(shard, $"SET key{i} {new string('x', 50)}", 2);
            if (reply != "OK") outcome = reply;
        }

        Assert.Equal("(error) OOM command not allowed when used memory > 'maxmemory'.", outcome);
        Assert.True(small.UsedBytes <= 1000);
        Assert.Equal("\"" + new string('x', 50) + "\"", await Ask(shard, "GET key0", 2));
        Assert.Equal("(integer) 1", await Ask(shard, "DEL key0", 2));
        Assert.Equal("OK", await Ask(shard, "SET key0 small", 2));
    }

    [Fact]
    public async Task A_shard_should_be_reachable_directly_only_while_it_serves()
    {
        var local = new LocalShards();
        var shard = Sys.ActorOf(ShardActor.Props("3", _settings, _memory, local));
        await shard.Ask<ShardRecovered>(new RecoverShard(3), TimeSpan.FromSeconds(5));
        Assert.True(local.TryGet(3, out var direct));
        Assert.Equal(shard, direct);

        Watch(shard);
        shard.Tell(StopShard.Instance);
        ExpectTerminated(shard);
        Assert.False(local.TryGet(3, out _));
    }
}
