using System.Diagnostics;
using AegisKV.Protocol;
using Xunit.Abstractions;

namespace AegisKV.Protocol.Tests;

public class RespReaderFuzzTests(ITestOutputHelper output)
{
    private const int Iterations = 20_000;

    // Each property stops early when this runs out, keeping the suite fast on a loaded machine.
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(1);

    private static readonly RespLimits[] LimitChoices =
    [
        RespLimits.Default,
        new() { MaxBulkLength = 3, MaxInlineLength = 6, MaxArrayLength = 2 },
        new() { MaxBulkLength = 0, MaxInlineLength = 0, MaxArrayLength = 0 },
    ];

    private static readonly string[] ValidRequests =
    [
        "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n",
        "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$13\r\nval\r\n\0ue!\r\nxy\r\n",
        "*1\r\n$0\r\n\r\n",
        "*0\r\n",
        "*-1\r\n",
        "PING\r\n",
        "SET k v\n",
        "SET k \"a \\x41\\n b\" 'c\\'d'\r\n",
        "\r\n",
    ];

    // Bytes that steer random input into the parser's interesting branches.
    private static readonly byte[] Alphabet = Resp.Bytes("*$\r\n-+0123456789 \t\"'\\xaAfF\0");

    [Fact]
    public void Reader_should_only_return_false_read_a_request_or_throw_a_protocol_error_on_random_bytes()
    {
        var random = new Random(20240611);
        var outcomes = new Outcomes();
        var clock = Stopwatch.StartNew();
        int i = 0;
        for (; i < Iterations && clock.Elapsed < Budget; i++)
        {
            var buffer = new byte[random.Next(0, 48)];
            for (int j = 0; j < buffer.Length; j++)
            {
                buffer[j] = random.Next(3) == 0 ? (byte)random.Next(256) : Alphabet[random.Next(Alphabet.Length)];
            }

            CheckContract(buffer, LimitChoices[random.Next(LimitChoices.Length)], outcomes);
        }

        Report(outcomes, i);
    }

    [Fact]
    public void Reader_should_only_return_false_read_a_request_or_throw_a_protocol_error_on_mutated_requests()
    {
        var random = new Random(7);
        var outcomes = new Outcomes();
        var clock = Stopwatch.StartNew();
        int i = 0;
        for (; i < Iterations && clock.Elapsed < Budget; i++)
        {
            var bytes = new List<byte>();
            for (int count = random.Next(1, 4); count > 0; count--)
            {
                bytes.AddRange(Resp.Bytes(ValidRequests[random.Next(ValidRequests.Length)]));
            }

            for (int mutations = random.Next(0, 4); mutations > 0 && bytes.Count > 0; mutations--)
            {
                int at = random.Next(bytes.Count);
                switch (random.Next(4))
                {
                    case 0:
                        bytes[at] = Alphabet[random.Next(Alphabet.Length)];
                        break;
                    case 1:
                        bytes.Insert(at, (byte)random.Next(256));
                        break;
                    case 2:
                        bytes.RemoveAt(at);
                        break;
                    default:
                        bytes.RemoveRange(at, bytes.Count - at);
                        break;
                }
            }

            CheckContract(bytes.ToArray(), LimitChoices[random.Next(LimitChoices.Length)], outcomes);
        }

        Report(outcomes, i);
    }

    /// <summary>
    /// Reads <paramref name="buffer"/> back-to-back and checks each call: false with nothing consumed, true with
    /// 0 &lt; consumed &lt;= length, or a <see cref="RespProtocolException"/>. A successful read must also be
    /// independent of what follows it, and every shorter prefix of it must return false.
    /// </summary>
    private static void CheckContract(byte[] buffer, RespLimits limits, Outcomes outcomes)
    {
        int offset = 0;
        while (true)
        {
            ReadOnlySpan<byte> rest = buffer.AsSpan(offset);
            bool read;
            byte[][] arguments;
            int consumed;
            try
            {
                read = RespReader.TryReadRequest(rest, limits, out arguments, out consumed);
            }
            catch (RespProtocolException)
            {
                outcomes.Errors++;
                return;
            }

            if (!read)
            {
                outcomes.Waits++;
                Assert.Equal(0, consumed);
                Assert.Empty(arguments);
                return;
            }

            Assert.InRange(consumed, 1, rest.Length);

            Assert.True(RespReader.TryReadRequest(rest[..consumed], limits, out byte[][] alone, out int aloneConsumed));
            Assert.Equal(consumed, aloneConsumed);
            Assert.Equal(Resp.Render(arguments), Resp.Render(alone));
            for (int length = 0; length < consumed; length++)
            {
                Assert.False(RespReader.TryReadRequest(rest[..length], limits, out _, out _));
            }

            outcomes.Reads++;
            offset += consumed;
        }
    }

    private void Report(Outcomes outcomes, int iterations)
    {
        output.WriteLine($"{iterations} buffers: {outcomes.Reads} requests read, {outcomes.Waits} waits, {outcomes.Errors} protocol errors");

        // Guards against a generator that stops reaching one of the three outcomes.
        Assert.True(outcomes.Reads > 0 && outcomes.Waits > 0 && outcomes.Errors > 0);
    }

    private sealed class Outcomes
    {
        public int Reads { get; set; }

        public int Waits { get; set; }

        public int Errors { get; set; }
    }
}
