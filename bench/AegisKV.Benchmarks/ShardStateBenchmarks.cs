using System.Text;
using BenchmarkDotNet.Attributes;
using AegisKV.Core.Commands;
using AegisKV.Core.State;

namespace AegisKV.Benchmarks;

/// <summary>A shard's map, 10,000 keys, as its actor runs commands against it.</summary>
[MemoryDiagnoser]
public class ShardStateBenchmarks
{
    private const int Keys = 10_000;
    private readonly List<IShardEvent> _events = new(4);
    private ShardState _state = null!;
    private byte[][][] _sets = [];
    private byte[][][] _gets = [];
    private int _next;

    /// <summary>The map filled with 16-byte keys and 32-byte values; a SET and a GET prepared for each key.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _state = new ShardState(new NodeMemory(0));
        var value = Encoding.ASCII.GetBytes(new string('v', 32));
        _sets = new byte[Keys][][];
        _gets = new byte[Keys][][];
        for (var i = 0; i < Keys; i++)
        {
            var key = Encoding.ASCII.GetBytes($"key:{i:D12}");
            _sets[i] = [key, value];
            _gets[i] = [key];
            _state.Execute(CommandId.Set, _sets[i], 0, _events);
            _events.Clear();
            _state.TakeUndo();
        }
    }

    /// <summary>
    /// Overwriting a key: the event the WAL gets, what the write replaced (kept until it is durable) and the key's new
    /// record, one array the map copies key and value into instead of holding the request's two (ADR 0025).
    /// </summary>
    [Benchmark]
    [AllocationBudget(200)]
    public object SetExistingKey()
    {
        var arguments = _sets[_next++ % Keys];
        _events.Clear();
        var reply = _state.Execute(CommandId.Set, arguments, 0, _events);
        _state.TakeUndo();
        return reply;
    }

    /// <summary>Reading a key: the reply that carries the value, a slice of the key's record.</summary>
    [Benchmark]
    [AllocationBudget(32)]
    public object GetHit() => _state.Execute(CommandId.Get, _gets[_next++ % Keys], 0, _events);
}
