using System.Text;
using AegisKV.Core.Replies;

namespace AegisKV.Core.Tests;

/// <summary>Shorthands so test tables read like redis-cli sessions.</summary>
internal static class Text
{
    public static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    public static byte[][] Args(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(B).ToArray();

    /// <summary>Runs one redis-cli-style line on <paramref name="state"/> and shows the reply as redis-cli would.</summary>
    public static string Run(AegisKV.Core.State.ShardState state, string line, long nowMs)
    {
        var args = Args(line);
        var spec = AegisKV.Core.Commands.CommandTable.Find(args[0]) ?? throw new ArgumentException(line);
        return Show(state.Execute(spec.Id, args[1..], nowMs, []));
    }

    /// <summary>A reply as redis-cli would print it, on one line.</summary>
    public static string Show(Reply reply) => reply switch
    {
        SimpleReply s => Encoding.UTF8.GetString(s.Value),
        ErrorReply e => "(error) " + Encoding.UTF8.GetString(e.Message),
        IntegerReply i => "(integer) " + i.Value,
        BulkReply { Value: null } => "(nil)",
        BulkReply b => "\"" + Encoding.UTF8.GetString(b.Value) + "\"",
        ArrayReply { Items: null } => "(nil array)",
        ArrayReply a => "[" + string.Join(", ", a.Items.Select(Show)) + "]",
        MapReply m => "[" + string.Join(", ", m.Items.Select(Show)) + "]",
        PairsReply p => "[" + string.Join(", ", p.Items.Select(Show)) + "]",
        _ => reply.ToString(),
    };
}
