using AegisKV.Core.Replies;

namespace AegisKV.Server.Resp;

/// <summary>
/// Replies a connection receives without asking, in between its answers (MONITOR lines): the
/// connection's <see cref="ReplyWriter"/> attaches itself once it runs, and takes them on its own thread.
/// </summary>
public sealed class ReplyPush
{
    private Action<Reply>? _writer;

    /// <summary>Called by the writer when it starts.</summary>
    internal void Attach(Action<Reply> writer) => Volatile.Write(ref _writer, writer);

    /// <summary>Queues <paramref name="reply"/> to be written after the replies already written.</summary>
    public void Push(Reply reply) => Volatile.Read(ref _writer)?.Invoke(reply);
}
