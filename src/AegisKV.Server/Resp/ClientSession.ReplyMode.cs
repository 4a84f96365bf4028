using System.Text;
using AegisKV.Core.Replies;

namespace AegisKV.Server.Resp;

// CLIENT REPLY ON | OFF | SKIP: the client asks for no replies (OFF), or none to its next command (SKIP). Pub/sub
// confirmations and messages still go out, as in Redis. The mode is followed through a batch before it runs, since
// it depends only on the lines sent.
internal sealed partial class ClientSession
{
    private bool _repliesOff;

    // Which replies of the batch the client asked not to get; null when it gets them all.
    private bool[]? SilencedReplies(IReadOnlyList<Incoming> batch)
    {
        bool[]? silenced = null;
        var skipNext = false;
        for (var i = 0; i < batch.Count; i++)
        {
            var mode = ReplyModeOf(batch[i].Arguments);
            var silent = _repliesOff || skipNext;
            skipNext = false;
            if (mode is "ON") silent = _repliesOff = false;
            else if (mode is "OFF") silent = _repliesOff = true;
            else if (mode is "SKIP") silent = skipNext = true;
            if (!silent) continue;
            silenced ??= new bool[batch.Count];
            silenced[i] = true;
        }

        return silenced;
    }

    private static string? ReplyModeOf(byte[][]? line) =>
        line is [var name, var sub, var mode] && Ascii.EqualsIgnoreCase(name, "CLIENT"u8) && Ascii.EqualsIgnoreCase(sub, "REPLY"u8)
            ? Encoding.ASCII.GetString(mode).ToUpperInvariant()
            : null;

    private static async Task<Reply[]> Silence(Task<Reply[]> pending, bool[] silenced)
    {
        var replies = await pending.ConfigureAwait(false);
        for (var i = 0; i < replies.Length && i < silenced.Length; i++)
            if (silenced[i] && replies[i] is not (PushReply or FramesReply or ClosingReply)) replies[i] = SilentReply.Instance;
        return replies;
    }

    private static Reply ClientReply(byte[] mode) =>
        Ascii.EqualsIgnoreCase(mode, "ON"u8) || Ascii.EqualsIgnoreCase(mode, "OFF"u8) || Ascii.EqualsIgnoreCase(mode, "SKIP"u8) ? Reply.Ok : Errors.Syntax;
}

/// <summary>A reply the client asked not to get (CLIENT REPLY OFF or SKIP): nothing is written.</summary>
internal sealed record SilentReply : Reply
{
    public static readonly SilentReply Instance = new();

    public override void WriteTo(System.Buffers.IBufferWriter<byte> writer, int protocol)
    {
    }
}
