using System.Buffers;
using CsCheck;

namespace AegisKV.Protocol.Tests;

/// <summary>Laws that hold for every input, checked on thousands of generated ones (CsCheck shrinks a failure to its smallest case).</summary>
public sealed class RespRoundTripProperties
{
    // Any arguments, empty and binary ones included, and the points at which the bytes are cut as they arrive.
    private static readonly Gen<(byte[][] Arguments, int[] Cuts)> Requests =
        Gen.Byte.Array[0, 64].Array[1, 12].Select(Gen.Int[1, 1 << 20].Array[0, 6]);

    [Fact]
    public void A_request_the_writer_wrote_should_read_back_whole_however_its_bytes_arrive() =>
        Requests.Sample((arguments, cuts) =>
        {
            var written = new ArrayBufferWriter<byte>();
            RespWriter.WriteArrayHeader(written, arguments.Length);
            foreach (var argument in arguments) RespWriter.WriteBulkString(written, argument);
            var bytes = written.WrittenSpan.ToArray();

            using var parser = new RespRequestParser(RespLimits.Default);
            foreach (var cut in cuts.Select(c => c % bytes.Length).Where(c => c > 0).Order())
                Assert.False(parser.TryRead(bytes.AsSpan(0, cut), out _, out _));
            Assert.True(parser.TryRead(bytes, out var read, out var consumed));
            Assert.Equal(bytes.Length, consumed);
            Assert.Equal(arguments, read);
        }, iter: 2000);
}
