using AegisKV.Core.Replies;

namespace AegisKV.Core.State;

// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN n] [WITHMATCHLEN]: the longest common subsequence of two
// strings by dynamic programming, with Redis's reply shapes and match ranges (walked from the end).
public sealed partial class ShardState
{
    private Reply Lcs(byte[][] arguments, long nowMs)
    {
        bool len = false, idx = false, withMatchLen = false;
        long minMatchLen = 0;
        for (var i = 2; i < arguments.Length; i++)
        {
            if (Is(arguments[i], "LEN"u8)) len = true;
            else if (Is(arguments[i], "IDX"u8)) idx = true;
            else if (Is(arguments[i], "WITHMATCHLEN"u8)) withMatchLen = true;
            else if (Is(arguments[i], "MINMATCHLEN"u8) && i + 1 < arguments.Length)
            {
                if (!IntegerText.TryParse(arguments[++i], out minMatchLen)) return Errors.NotInteger;
                if (minMatchLen < 0) minMatchLen = 0;
            }
            else return Errors.Syntax;
        }

        if (len && idx) return Errors.Text("ERR If you want both the length and indexes, please just use IDX.");
        var aLive = TryGetLive(arguments[0], nowMs, out var aValue);
        var bLive = TryGetLive(arguments[1], nowMs, out var bValue);
        if ((aLive && !aValue.IsString) || (bLive && !bValue.IsString))
            return Errors.Text("ERR The specified keys must contain string values");
        var a = aLive ? aValue.Value : [];
        var b = bLive ? bValue.Value : [];
        if ((long)(a.Length + 1) * (b.Length + 1) * sizeof(uint) > MaxValueLength)
            return Errors.Text("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");

        // table[i, j]: LCS length of a[..i] and b[..j].
        var width = b.Length + 1;
        var table = new uint[(a.Length + 1) * width];
        for (var i = 1; i <= a.Length; i++)
            for (var j = 1; j <= b.Length; j++)
                table[i * width + j] = a[i - 1] == b[j - 1]
                    ? table[(i - 1) * width + j - 1] + 1
                    : Math.Max(table[(i - 1) * width + j], table[i * width + j - 1]);

        var length = (int)table[a.Length * width + b.Length];
        if (len) return Reply.Integer(length);
        var common = new byte[length];
        var matches = new List<Reply>();
        int x = a.Length, y = b.Length, at = length;
        int aStart = -1, aEnd = -1, bStart = -1, bEnd = -1;
        while (x > 0 && y > 0)
        {
            var emit = false;
            if (a[x - 1] == b[y - 1])
            {
                common[--at] = a[x - 1];
                if (aStart < 0) (aStart, aEnd, bStart, bEnd) = (x - 1, x - 1, y - 1, y - 1);
                else if (aStart == x && bStart == y) (aStart, bStart) = (aStart - 1, bStart - 1);
                else emit = true;
                if (aStart == 0 || bStart == 0) emit = true;
                x--;
                y--;
            }
            else
            {
                if (table[(x - 1) * width + y] > table[x * width + y - 1]) x--;
                else y--;
                emit = aStart >= 0;
            }

            if (!emit || aStart < 0) continue;
            var matchLen = aEnd - aStart + 1;
            if (idx && matchLen >= minMatchLen)
            {
                Reply[] range =
                [
                    new ArrayReply([Reply.Integer(aStart), Reply.Integer(aEnd)]),
                    new ArrayReply([Reply.Integer(bStart), Reply.Integer(bEnd)]),
                ];
                matches.Add(new ArrayReply(withMatchLen ? [.. range, Reply.Integer(matchLen)] : range));
            }

            aStart = -1;
        }

        if (!idx) return new BulkReply(common);
        return new MapReply([new BulkReply("matches"u8.ToArray()), new ArrayReply([.. matches]), new BulkReply("len"u8.ToArray()), Reply.Integer(length)]);
    }
}
