using System.Text;
using AegisKV.Protocol;

namespace AegisKV.Fuzz.Targets;

/// <summary>
/// The request reader as a connection drives it: the bytes arrive in pieces and the parser is asked again with
/// more each time. Every request it reads must match what the one-shot reader reads from the same bytes whole.
/// The first input byte picks the limits and the size of the pieces.
/// </summary>
public sealed class RespRequestTarget : FuzzTarget
{
    private static readonly RespLimits[] LimitChoices =
    [
        RespLimits.Default,
        new() { MaxBulkLength = 3, MaxInlineLength = 6, MaxArrayLength = 2 },
        new() { MaxBulkLength = 64, MaxInlineLength = 64, MaxArrayLength = 8 },
        new() { MaxBulkLength = 0, MaxInlineLength = 0, MaxArrayLength = 0 },
    ];

    /// <inheritdoc />
    public override string Name => "resp";

    /// <inheritdoc />
    public override void Run(ReadOnlySpan<byte> input)
    {
        if (input.Length == 0) return;
        var limits = LimitChoices[input[0] % LimitChoices.Length];
        var piece = 1 + (input[0] >> 2);
        var data = input[1..];
        using var parser = new RespRequestParser(limits);
        var start = 0;
        var end = Math.Min(data.Length, piece);
        try
        {
            while (start < data.Length)
            {
                if (!parser.TryRead(data[start..end], out var arguments, out var consumed))
                {
                    if (end == data.Length) return;
                    end = Math.Min(data.Length, end + piece);
                    continue;
                }

                if (consumed <= 0 || consumed > end - start)
                    throw new InvalidOperationException($"The parser consumed {consumed} of {end - start} bytes.");
                MatchWhole(data[start..], limits, arguments, consumed);
                start += consumed;
                end = Math.Min(data.Length, Math.Max(end, start + piece));
            }
        }
        catch (RespProtocolException)
        {
            // Malformed input: the connection answers the error and closes, as designed.
        }
    }

    private static void MatchWhole(ReadOnlySpan<byte> rest, RespLimits limits, byte[][] arguments, int consumed)
    {
        if (!RespReader.TryReadRequest(rest, limits, out var whole, out var wholeConsumed)
            || wholeConsumed != consumed
            || whole.Length != arguments.Length)
            throw new InvalidOperationException("Read in pieces, a request differs from the same bytes read whole.");
        for (var i = 0; i < whole.Length; i++)
        {
            if (!whole[i].AsSpan().SequenceEqual(arguments[i]))
                throw new InvalidOperationException($"Read in pieces, argument {i} differs from the same bytes read whole.");
        }
    }

    /// <inheritdoc />
    public override IEnumerable<(string Name, byte[] Data)> Seeds()
    {
        yield return ("get", Seed(0, "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"));
        yield return ("set-pieces", Seed(4, "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nva\r\nl\r\n"));
        yield return ("pipeline", Seed(8, "*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$0\r\n\r\n*0\r\n*-1\r\n"));
        yield return ("inline", Seed(2, "SET k \"a \\x41\\n b\" 'c\\'d'\r\nPING\n\r\n"));
        yield return ("limits", Seed(1, "*3\r\n$4\r\nLONG\r\n"));
        yield return ("multi", Seed(12, "*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n*1\r\n$4\r\nEXEC\r\n"));
    }

    private static byte[] Seed(byte first, string text) => [first, .. Encoding.ASCII.GetBytes(text)];
}
