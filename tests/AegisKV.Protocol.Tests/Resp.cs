using System.Text;
using AegisKV.Protocol;

namespace AegisKV.Protocol.Tests;

/// <summary>Helpers that let test tables spell requests as strings (one char per byte, Latin-1).</summary>
internal static class Resp
{
    public static byte[] Bytes(string text) => Encoding.Latin1.GetBytes(text);

    public static string Text(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);

    /// <summary>Renders arguments as "arg1|arg2|…" so table expectations stay readable.</summary>
    public static string Render(byte[][] arguments)
    {
        var builder = new StringBuilder();
        for (int i = 0; i < arguments.Length; i++)
        {
            if (i > 0)
            {
                builder.Append('|');
            }

            builder.Append(Text(arguments[i]));
        }

        return builder.ToString();
    }

    /// <summary>Reads every request in <paramref name="input"/> back-to-back; fails if bytes are left over.</summary>
    public static List<string> ReadAll(string input, RespLimits? limits = null)
    {
        byte[] buffer = Bytes(input);
        var requests = new List<string>();
        int offset = 0;
        while (RespReader.TryReadRequest(buffer.AsSpan(offset), limits ?? RespLimits.Default, out byte[][] arguments, out int consumed))
        {
            Assert.InRange(consumed, 1, buffer.Length - offset);
            requests.Add(Render(arguments));
            offset += consumed;
        }

        Assert.Equal(buffer.Length, offset);
        return requests;
    }

    /// <summary>Encodes arguments as a RESP array of bulk strings, the way clients send commands.</summary>
    public static string Command(params string[] arguments)
    {
        var builder = new StringBuilder();
        builder.Append('*').Append(arguments.Length).Append("\r\n");
        foreach (string argument in arguments)
        {
            builder.Append('$').Append(argument.Length).Append("\r\n").Append(argument).Append("\r\n");
        }

        return builder.ToString();
    }
}
