using System.Collections.Immutable;
using Akka.Actor;

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
    private readonly TaskCompletionSource<IImmutableList<Exception>>? _completion;
    private IWalWriteCallback? _callback;
    private EncodedRecord[] _records = WalBuffers.RentRecords(16);
    private bool _finished; // a refused write is completed too, after its refusal: only the first outcome counts

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

    /// <summary>A write without a task: its outcome goes to the callback given to <see cref="ReportTo"/> before it is queued.</summary>
    private WriteCommand(int initialBufferSize, IWalWriteCallback? callback)
    {
        Buffer = new PooledBuffer(initialBufferSize);
        _callback = callback;
    }

    /// <summary>A write that reports to a callback (<see cref="ReportTo"/>) instead of completing a task.</summary>
    public static WriteCommand WithCallback(int initialBufferSize) => new(initialBufferSize, callback: null);

    /// <summary>Where the outcome goes, on the writer thread; set before the command is queued.</summary>
    public void ReportTo(IWalWriteCallback callback) => _callback = callback;

    public PooledBuffer Buffer { get; }

    /// <summary>For a follower's append: written only if the log ends where the primary's entries follow on.</summary>
    public ReplicaPrecondition? Precondition { get; init; }

    public int RecordCount { get; private set; }

    /// <summary>Per-AtomicWrite rejections, or null when none was rejected (Akka's allocation-free happy path).</summary>
    public IImmutableList<Exception>? Rejections { get; set; }

    public Task<IImmutableList<Exception>> Task => _completion?.Task ?? throw new InvalidOperationException("This write reports to its callback.");

    public ref readonly EncodedRecord Record(int index) => ref _records[index];

    public void AddRecord(in EncodedRecord record)
    {
        if (RecordCount == _records.Length)
        {
            var bigger = WalBuffers.RentRecords(_records.Length * 2);
            _records.AsSpan(0, RecordCount).CopyTo(bigger);
            WalBuffers.Return(_records);
            _records = bigger;
        }
        _records[RecordCount++] = record;
    }

    /// <summary>
    /// Serializes <paramref name="payload"/> with the system's serializer for it and adds it as an event record; the
    /// record's epoch is the payload's <see cref="IWalEpoch.Epoch"/>, if it has one.
    /// </summary>
    public void AddEvent(ExtendedActorSystem system, string persistenceId, long sequenceNr, object payload, string persistentManifest, bool endsAtomicWrite)
    {
        var epoch = payload is IWalEpoch withEpoch ? withEpoch.Epoch : 0L;
        var serializer = system.Serialization.FindSerializerFor(payload);
        var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, payload);
        var bytes = serializer is IScratchSerializer scratch
            ? scratch.SerializeToScratch(payload)
            : Akka.Serialization.Serialization.WithTransport(system, (serializer, payload), static state => state.serializer.ToBinary(state.payload));
        var offset = Buffer.Length;
        var length = WalRecordCodec.WriteEvent(Buffer, persistenceId, sequenceNr, epoch, moreInAtomicWrite: !endsAtomicWrite, persistentManifest,
            serializer.Identifier, manifest, bytes);
        AddRecord(new EncodedRecord(persistenceId, sequenceNr, offset, length, endsAtomicWrite, epoch));
    }

    /// <inheritdoc />
    public override void Release()
    {
        var records = _records;
        _records = [];
        RecordCount = 0;
        WalBuffers.Return(records);
    }

    /// <summary>Forgets records added after <paramref name="recordCount"/> (a rejected atomic write).</summary>
    public void Rewind(int recordCount, int bufferLength)
    {
        RecordCount = recordCount;
        Buffer.Rewind(bufferLength);
    }

    public override void Complete()
    {
        if (_finished)
            return;
        _finished = true;
        Buffer.Dispose();
        if (_callback is not null)
            _callback.Durable();
        else
            _completion!.TrySetResult(Rejections!);
    }

    public override void Fail(Exception cause)
    {
        if (_finished)
            return;
        _finished = true;
        Buffer.Dispose();
        if (_callback is not null)
            _callback.Failed(cause);
        else
            _completion!.TrySetException(cause);
    }

    /// <summary>Atomic writes in the command, rejected ones included (0: count the encoded ones): a rejection names each of them.</summary>
    public int AtomicWrites { get; set; }

    /// <summary>
    /// Every atomic write is rejected, not failed: to Akka.Persistence the writer then goes on (its
    /// events are not stored) instead of being stopped, so a shard can keep serving reads.
    /// </summary>
    public override void Reject(WalWriteException cause)
    {
        if (_finished)
            return;
        _finished = true;
        Buffer.Dispose();
        if (_callback is not null)
        {
            _callback.Refused(cause);
            return;
        }
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
        _completion!.TrySetResult(rejections.ToImmutable());
    }
}
