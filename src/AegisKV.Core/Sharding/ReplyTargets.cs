using Akka.Actor;
using AegisKV.Core.Replies;

namespace AegisKV.Core.Sharding;

/// <summary>Where a command's reply goes once it may be released.</summary>
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
        if (--_remaining == 0) sender.Tell(new ShardBatchReply(requestId, _replies));
    }
}
