using AegisKV.Core.Commands;
using AegisKV.Core.Replies;
using AegisKV.Core.State;

namespace AegisKV.Server.Resp;

// Blocking commands (BLPOP and kin) wait on their shard; the connection runs nothing it received after one until it
// is answered, as a blocked Redis client reads nothing more.
internal sealed partial class ClientSession
{
    private readonly object _blockedGate = new();
    private Task _blockedTail = Task.CompletedTask;

    // The first blocking command of a batch, -1 when there is none.
    private static int FirstBlocking(IReadOnlyList<Incoming> batch)
    {
        // Every blocking command's name starts with B: other requests cost no second command-table lookup here.
        for (var i = 0; i < batch.Count; i++)
            if (batch[i].Arguments is [[(byte)'B' or (byte)'b', ..] name, ..] && CommandTable.Find(name) is { Flags: var flags } && (flags & CommandFlags.Blocking) != 0)
                return i;
        return -1;
    }

    // Runs the batch up to and including its blocking command, which may wait that long; what follows runs once it is answered.
    private Task<Reply[]> ExecuteBlocking(IReadOnlyList<Incoming> batch, int cut)
    {
        var head = ExecuteManyAsync(Slice(batch, 0, cut + 1), InTransaction ? 0 : BlockingWait(batch[cut].Arguments!));
        var whole = cut == batch.Count - 1 ? head : ThenAsync(head, Slice(batch, cut + 1, batch.Count - cut - 1));
        lock (_blockedGate)
        {
            // When this batch itself waited its turn, what came later is already queued behind it.
            if (_blockedTail.IsCompleted) _blockedTail = whole;
        }

        return whole;
    }

    private async Task<Reply[]> ThenAsync(Task<Reply[]> head, IReadOnlyList<Incoming> rest)
    {
        var first = await head.ConfigureAwait(false);
        var second = await ExecuteNow(rest).ConfigureAwait(false);
        return [.. first, .. second];
    }

    private static Incoming[] Slice(IReadOnlyList<Incoming> batch, int start, int count)
    {
        var slice = new Incoming[count];
        for (var i = 0; i < count; i++) slice[i] = batch[start + i];
        return slice;
    }

    // How long a blocking command may wait on its shard beyond the usual request timeout: its own timeout (0 is for ever).
    private static long BlockingWait(byte[][] line)
    {
        if (CommandTable.Find(line[0]) is not { } spec || !spec.AcceptsArgumentCount(line.Length)) return 0;
        var arguments = line[1..];
        if (BlockingTimeout.Parse(arguments[BlockingTimeout.ArgumentOf(spec.Id, arguments)], out var ms) is not null) return 0;
        return ms == 0 ? long.MaxValue : ms;
    }
}
