using AegisKV.Core.Replies;

namespace AegisKV.Core.Sharding;

/// <summary>
/// The replies a shard holds back until the writes they depend on are durable, oldest first. When the
/// journal refuses a write, every one of them is answered with the error at once, and the callbacks
/// that would have released them later find them answered already.
/// </summary>
internal sealed class PendingReplies
{
    private readonly Queue<Slot> _slots = new();

    /// <summary>Holds back the reply at <paramref name="index"/> of <paramref name="target"/>.</summary>
    public Slot Add(IReplyTarget target, int index)
    {
        // Released slots leave from the front; callbacks run in the order the slots were added.
        while (_slots.TryPeek(out var oldest) && oldest.Answered) _slots.Dequeue();
        var slot = new Slot(target, index);
        _slots.Enqueue(slot);
        return slot;
    }

    /// <summary>Answers every reply still held back with <paramref name="error"/>.</summary>
    public void FailAll(Reply error)
    {
        while (_slots.TryDequeue(out var slot)) slot.Complete(error);
    }

    /// <summary>One held-back reply: the WAL's writer thread answers most (once their writes are durable), the shard the rest.</summary>
    internal sealed class Slot(IReplyTarget target, int index)
    {
        private int _answered;

        public bool Answered => Volatile.Read(ref _answered) != 0;

        /// <summary>Releases the reply, unless it was answered already.</summary>
        public void Complete(Reply reply)
        {
            if (Interlocked.Exchange(ref _answered, 1) != 0) return;
            target.Complete(index, reply);
        }
    }
}
