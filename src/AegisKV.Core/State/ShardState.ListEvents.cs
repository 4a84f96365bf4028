using AegisKV.Core.Replies;

namespace AegisKV.Core.State;

// Applying list events, and LPOS. An event names the generation it makes: a list already at or past it has the
// event in it (a snapshot taken while the write was in flight), so replaying it again changes nothing.
public sealed partial class ShardState
{
    private static readonly ErrorReply RankZero = Errors.Text(
        "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list");

    private void ApplyList(IKeyEvent e)
    {
        _map.TryGetValue(e.Key, out var existing);
        var list = existing.Object as ListValue;
        if (e is ListPushed { } pushed && list is null)
        {
            var elements = pushed.Elements;
            if (pushed.Left)
            {
                elements = (byte[][])elements.Clone();
                Array.Reverse(elements);
            }

            Put(e.Key, ListValue.From(elements, pushed.Generation), 0);
            return;
        }

        if (list is null || !Fits(e, list.Count)) return;
        var changed = e switch
        {
            ListPushed p when list.Generation < p.Generation => list.Pushed(p.Left, p.Elements, p.Generation),
            ListTrimmed t when list.Generation < t.Generation => list.Trimmed(t.Start, t.Count, t.Generation),
            ListSpliced s when list.Generation < s.Generation => list.Spliced(s.Index, s.Removed, s.Inserted, s.Generation),
            ListElementsRemoved r when list.Generation < r.Generation => list.WithoutAt(r.Indexes, r.Generation),
            _ => null,
        };
        if (changed is null) return;
        if (changed.Count == 0) Remove(e.Key);
        else ReplaceData(e.Key, changed);
    }

    // Positions an event names lie in the list it was made for; one that does not is not applied.
    private static bool Fits(IKeyEvent e, int count) => e switch
    {
        ListTrimmed t => t.Start >= 0 && t.Count >= 0 && (long)t.Start + t.Count <= count,
        ListSpliced s => s.Index >= 0 && s.Removed >= 0 && (long)s.Index + s.Removed <= count,
        ListElementsRemoved r => IsAscendingWithin(r.Indexes, count),
        _ => true,
    };

    private static bool IsAscendingWithin(int[] indexes, int count)
    {
        for (var i = 0; i < indexes.Length; i++)
            if (indexes[i] < 0 || indexes[i] >= count || (i > 0 && indexes[i] <= indexes[i - 1])) return false;
        return true;
    }

    // LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
    private static Reply Position(byte[][] arguments, ListValue? list)
    {
        long rank = 1, count = -1, maxLength = 0;
        for (var i = 2; i < arguments.Length; i++)
        {
            if (i + 1 >= arguments.Length) return Errors.Syntax;
            var option = arguments[i];
            if (!IntegerText.TryParse(arguments[++i], out var value)) return Errors.NotInteger;
            if (Is(option, "RANK"u8))
            {
                if (value == 0) return RankZero;
                if (value == long.MinValue) return Errors.Text("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807");
                rank = value;
            }
            else if (Is(option, "COUNT"u8))
            {
                if (value < 0) return Errors.Text("ERR COUNT can't be negative");
                count = value;
            }
            else if (Is(option, "MAXLEN"u8))
            {
                if (value < 0) return Errors.Text("ERR MAXLEN can't be negative");
                maxLength = value;
            }
            else return Errors.Syntax;
        }

        if (list is null) return count >= 0 ? Reply.EmptyArray : Reply.Nil;
        var matches = new List<Reply>();
        var wanted = count == 0 ? long.MaxValue : count < 0 ? 1 : count;
        var skip = Math.Abs(rank) - 1;
        var limit = maxLength == 0 ? list.Count : (int)Math.Min(maxLength, list.Count);
        for (var n = 0; n < limit && matches.Count < wanted; n++)
        {
            var index = rank > 0 ? n : list.Count - 1 - n;
            if (!list[index].AsSpan().SequenceEqual(arguments[1])) continue;
            if (skip > 0) skip--;
            else matches.Add(Reply.Integer(index));
        }

        if (count >= 0) return new ArrayReply([.. matches]);
        return matches.Count > 0 ? matches[0] : Reply.Nil;
    }
}
