using System.Collections.Immutable;

namespace AegisKV.Storage;

/// <summary>Metadata of one encoded record inside a <see cref="WriteCommand"/> buffer.</summary>
internal readonly record struct EncodedRecord(string PersistenceId, long SequenceNr, int Offset, int Length, bool EndsAtomicWrite, long Epoch = 0);

/// <summary>A write of replicated records that is made only if the id's log then ends at this (sequence, epoch).</summary>
internal readonly record struct ReplicaPrecondition(string PersistenceId, long PreviousSequenceNr, long PreviousEpoch);

/// <summary>
/// The records of one <c>WriteMessagesAsync</c> call, already serialized and framed on the caller, so the
/// writer loop only copies bytes to the file.
/// </summary>
internal sealed class WriteCommand : WalCommand
{
    private readonly TaskCompletionSource<IImmutableList<Exception>> _completion;
    private EncodedRecord[] _records = new EncodedRecord[8];

    /// <param name="initialBufferSize">Starting size of the record buffer.</param>
    /// <param name="completeInline">
    /// Run the waiter's continuation on the writer thread. Only for the journal, whose continuation
    /// merely posts results to actors: it saves a thread-pool hop per write. Any other waiter could
    /// block the writer (or wait for it), so by default continuations run on the thread pool.
    /// </param>
    public WriteCommand(int initialBufferSize, bool completeInline = false)
    {
        Buffer = new PooledBuffer(initialBufferSize);
        _completion = new(completeInline ? TaskCreationOptions.None : TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public PooledBuffer Buffer { get; }

    /// <summary>For a follower's append: written only if the log ends where the primary's entries follow on.</summary>
    public ReplicaPrecondition? Precondition { get; init; }

    public int RecordCount { get; private set; }

    /// <summary>Per-AtomicWrite rejections, or null when none was rejected (Akka's allocation-free happy path).</summary>
    public IImmutableList<Exception>? Rejections { get; set; }

    public Task<IImmutableList<Exception>> Task => _completion.Task;

    public ref readonly EncodedRecord Record(int index) => ref _records[index];

    public void AddRecord(in EncodedRecord record)
    {
        if (RecordCount == _records.Length)
            Array.Resize(ref _records, _records.Length * 2);
        _records[RecordCount++] = record;
    }

    /// <summary>Forgets records added after <paramref name="recordCount"/> (a rejected atomic write).</summary>
    public void Rewind(int recordCount, int bufferLength)
    {
        RecordCount = recordCount;
        Buffer.Rewind(bufferLength);
    }

    public override void Complete()
    {
        Buffer.Dispose();
        _completion.TrySetResult(Rejections!);
    }

    public override void Fail(Exception cause)
    {
        Buffer.Dispose();
        _completion.TrySetException(cause);
    }

    /// <summary>Atomic writes in the command, rejected ones included (0: count the encoded ones): a rejection names each of them.</summary>
    public int AtomicWrites { get; set; }

    /// <summary>
    /// Every atomic write is rejected, not failed: to Akka.Persistence the writer then goes on (its
    /// events are not stored) instead of being stopped, so a shard can keep serving reads.
    /// </summary>
    public override void Reject(WalWriteException cause)
    {
        Buffer.Dispose();
        var atomicWrites = AtomicWrites;
        if (atomicWrites == 0)
        {
            // Not set by the caller: every atomic write here is encoded, one end marker each.
            for (var i = 0; i < RecordCount; i++)
                atomicWrites += _records[i].EndsAtomicWrite ? 1 : 0;
        }
        var rejections = ImmutableList.CreateBuilder<Exception>();
        for (var i = 0; i < atomicWrites; i++)
            rejections.Add(cause);
        _completion.TrySetResult(rejections.ToImmutable());
    }
}
