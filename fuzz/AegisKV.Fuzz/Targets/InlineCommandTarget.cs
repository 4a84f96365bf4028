using System.Text;
using AegisKV.Protocol;

namespace AegisKV.Fuzz.Targets;

/// <summary>The splitter of inline command lines (Redis's <c>sdssplitargs</c> rules): quotes, escapes, spaces.</summary>
public sealed class InlineCommandTarget : FuzzTarget
{
    /// <inheritdoc />
    public override string Name => "inline";

    /// <inheritdoc />
    public override void Run(ReadOnlySpan<byte> input)
    {
        try
        {
            var arguments = InlineArgumentSplitter.Split(input);
            var total = 0;
            foreach (var argument in arguments) total += argument.Length;
            // Decoding only ever shortens: quotes and escapes take more bytes than what they stand for.
            if (total > input.Length)
                throw new InvalidOperationException($"{input.Length} bytes split into arguments of {total} bytes in all.");
        }
        catch (RespProtocolException)
        {
            // Unbalanced quotes: refused as designed.
        }
    }

    /// <inheritdoc />
    public override IEnumerable<(string Name, byte[] Data)> Seeds()
    {
        yield return ("plain", Encoding.ASCII.GetBytes("SET key value"));
        yield return ("quoted", Encoding.ASCII.GetBytes("SET k \"a \\x41\\n\\t\\\"b\" 'c\\'d'"));
        yield return ("spaces", Encoding.ASCII.GetBytes("  GET\t k  \v"));
        yield return ("unbalanced", Encoding.ASCII.GetBytes("SET k \"abc"));
        yield return ("nul", [(byte)'G', (byte)'E', (byte)'T', 0, (byte)'k']);
    }
}
