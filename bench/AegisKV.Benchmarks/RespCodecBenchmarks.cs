using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using AegisKV.Protocol;

namespace AegisKV.Benchmarks;

/// <summary>Reading a request off the wire and writing a reply to it.</summary>
[MemoryDiagnoser]
public class RespCodecBenchmarks
{
    private readonly ArrayBufferWriter<byte> _output = new(256);
    private byte[] _set = [];
    private byte[] _get = [];
    private byte[] _value = [];
    private RespRequestParser _parser = null!;

    /// <summary>A SET and a GET of a 16-byte key with a 32-byte value, as redis-benchmark sends them.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _set = Encoding.ASCII.GetBytes("*3\r\n$3\r\nSET\r\n$16\r\nkey:000000000042\r\n$32\r\n" + new string('v', 32) + "\r\n");
        _get = Encoding.ASCII.GetBytes("*2\r\n$3\r\nGET\r\n$16\r\nkey:000000000042\r\n");
        _value = Encoding.ASCII.GetBytes(new string('v', 32));
        _parser = new RespRequestParser(RespLimits.Default);
    }

    /// <summary>Releases the parser's pooled storage.</summary>
    [GlobalCleanup]
    public void Cleanup() => _parser.Dispose();

    /// <summary>The arguments' arrays are the request's own: the key and value are kept as the map's.</summary>
    [Benchmark]
    [AllocationBudget(176)]
    public int ParseSet()
    {
        _parser.TryRead(_set, out var arguments, out var consumed);
        return arguments.Length + consumed;
    }

    /// <summary>Only the arguments.</summary>
    [Benchmark]
    [AllocationBudget(112)]
    public int ParseGet()
    {
        _parser.TryRead(_get, out var arguments, out var consumed);
        return arguments.Length + consumed;
    }

    /// <summary>A bulk reply into the connection's output buffer: nothing.</summary>
    [Benchmark]
    [AllocationBudget(0)]
    public int WriteBulkReply()
    {
        _output.ResetWrittenCount();
        RespWriter.WriteBulkString(_output, _value);
        return _output.WrittenCount;
    }
}
