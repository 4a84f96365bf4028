using System.Text;
using BenchmarkDotNet.Attributes;
using AegisKV.Core.Commands;
using AegisKV.Core.Sharding;

namespace AegisKV.Benchmarks;

/// <summary>From a parsed request to the shard it goes to: the command's spec and the key's shard.</summary>
[MemoryDiagnoser]
public class CommandDispatchBenchmarks
{
    private byte[] _name = [];
    private byte[] _key = [];

    /// <summary>SET of a 16-byte key.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _name = Encoding.ASCII.GetBytes("set");
        _key = Encoding.ASCII.GetBytes("key:000000000042");
    }

    /// <summary>Looking up the command and hashing its key to one of 64 shards: nothing.</summary>
    [Benchmark]
    [AllocationBudget(0)]
    public int FindAndRoute()
    {
        var spec = CommandTable.Find(_name)!;
        return (int)spec.Id + KeySlots.ShardOf(_key, 64);
    }
}
