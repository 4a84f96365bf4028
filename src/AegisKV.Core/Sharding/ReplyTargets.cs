using Akka.Actor;
using AegisKV.Core.Replies;

namespace AegisKV.Core.Sharding;

/// <summary>Where a command's reply goes once it may be released: from the shard's thread, or the WAL's.</summary>
internal interface IReplyTarget
{
    void Complete(int index, Reply reply);
}

/// <summary>The replies of a batch, released together once the last one may be.</summary>
internal sealed class BatchReply(IActorRef sender, long requestId, int count) : IReplyTarget
{
    private readonly Reply[] _replies = new Reply[count];
    private int _remaining = count;

    public void Complete(int index, Reply reply)
    {
        _replies[index] = reply;
        // The shard answers some of a batch, the WAL's thread the writes: the last of either sends them all.
        if (Interlocked.Decrement(ref _remaining) == 0) sender.Tell(new ShardBatchReply(requestId, _replies));
    }
}

/// <summary>
/// The replies of a transaction, released together once its atomic write is durable; if the journal
/// refuses it, every command of it answers that error instead.
/// </summary>
internal sealed class TransactionReply(IActorRef sender, long requestId, Reply[] replies) : IReplyTarget
{
    /// <summary>Completing with this releases the transaction's own replies.</summary>
    public static readonly Reply Committed = Reply.Ok with { };

    public void Complete(int index, Reply reply)
    {
        if (ReferenceEquals(reply, Committed))
        {
            sender.Tell(new ShardBatchReply(requestId, replies));
            return;
        }

        var failed = new Reply[replies.Length];
        Array.Fill(failed, reply);
        sender.Tell(new ShardBatchReply(requestId, failed));
    }
}

/// <summary>Where the outcome of a write nobody asked for (an eviction) goes: nowhere.</summary>
internal sealed class NoReply : IReplyTarget
{
    public static readonly NoReply Instance = new();

    public void Complete(int index, Reply reply)
    {
    }
}
