using Akka.Actor;
using AegisKV.Replication;
using AegisKV.Storage.Replication;

namespace AegisKV.Core.Replication;

/// <summary>What a replica's actor does with what its core decides; called on the actor's thread, never re-entering the shell.</summary>
public interface IReplicaOwner
{
    /// <summary>Entries through <paramref name="commit"/> are committed.</summary>
    void Committed(long commit);

    /// <summary>The replica's role changed.</summary>
    void RoleChanged(ReplicaRole role);

    /// <summary><paramref name="member"/> needs a snapshot: hand one at a committed position to <see cref="ReplicaShell.SendSnapshot"/>.</summary>
    void SnapshotWanted(string member);

    /// <summary>
    /// Replaces the state by <paramref name="image"/>: whatever the owner keeps in memory changes now (on its thread);
    /// the returned write, which the shell runs once earlier installs are durable, saves the image as the shard's
    /// snapshot and then resets the log to end at its base.
    /// </summary>
    Func<Task> Install(SnapshotImage image);
}

/// <summary>
/// Drives one shard's <see cref="ReplicaCore"/> inside the actor that holds its replica: it writes what the core
/// asks to the WAL (checked appends and cuts, in order) and to the metadata store, sends its messages, and tells the
/// owner of commits, role changes and snapshots. WAL writes complete as <see cref="ReplicaWritten"/> messages to the
/// owner, which passes them back to <see cref="OnWritten"/>. Not thread-safe: the owner's thread only.
/// </summary>
public sealed class ReplicaShell
{
    private readonly int _shardId;
    private readonly IReplicaNetwork _network;
    private readonly WalReplicaLog _wal;
    private readonly ShardLogCodec _codec;
    private readonly IActorRef _self;
    private readonly IReplicaOwner _owner;
    private readonly Queue<Pending> _pending = new();
    private ReplicaMetadata _metadata;
    private Task? _installing;

    private ReplicaShell(int shardId, IReplicaNetwork network, WalReplicaLog wal, ShardLogCodec codec, IActorRef self, IReplicaOwner owner, ReplicaMetadata metadata,
        ReplicaCore core)
    {
        _shardId = shardId;
        _network = network;
        _wal = wal;
        _codec = codec;
        _self = self;
        _owner = owner;
        _metadata = metadata;
        Core = core;
    }

    /// <summary>The protocol state machine.</summary>
    public ReplicaCore Core { get; }

    /// <summary>True while writes it started have not all ended.</summary>
    public bool HasPendingWrites => _pending.Count > 0;

    /// <summary>The group kept in the metadata: the newest configuration this replica wrote; null when none yet.</summary>
    public static GroupConfiguration? SavedGroup(IReplicaNetwork network, string persistenceId) =>
        network.Metadata.Load(persistenceId).Members is { Count: > 0 } members ? new GroupConfiguration(members) : null;

    /// <summary>
    /// Rebuilds the replica from what is durable: the promise and group in the metadata store, the log from where the
    /// WAL starts (after its last compaction or reset) to its end. <paramref name="initial"/> is the group of a shard
    /// whose log and metadata name none. <paramref name="grantedUntil"/>: when the lease the replica that ran before in
    /// this process granted runs out, when known.
    /// </summary>
    public static ReplicaShell Load(int shardId, IReplicaNetwork network, WalReplicaLog wal, ShardLogCodec codec, GroupConfiguration initial, IActorRef self,
        IReplicaOwner owner, long? grantedUntil = null)
    {
        var pid = codec.PersistenceId;
        var metadata = network.Metadata.Load(pid);
        var start = wal.DeletedTo(pid);
        var startEpoch = wal.EpochAt(pid, start) ?? throw new InvalidDataException($"the WAL does not know the epoch of record {start} of {pid}, where its log starts");
        var entries = new List<LogEntry>();
        for (var next = start + 1; ;)
        {
            var records = wal.Read(pid, next, 4096, 16 << 20);
            if (records.Count == 0) break;
            foreach (var record in records) entries.Add(codec.Entry(record));
            next = records[^1].SequenceNr + 1;
        }

        var saved = metadata.Members.Count > 0 ? new GroupConfiguration(metadata.Members) : null;
        var log = new ReplicaLog(new SnapshotBase(start, startEpoch, saved), entries);
        var promised = metadata.PromisedCounter > 0 ? new Epoch(metadata.PromisedCounter, metadata.PromisedMember) : Epoch.None;
        var core = new ReplicaCore(network.Self, network.Options, saved ?? initial, log, promised, Now, grantedUntil, metadata.Rejoining);
        return new ReplicaShell(shardId, network, wal, codec, self, owner, metadata, core);
    }

    /// <summary>A monotonic clock in milliseconds, as leases are measured.</summary>
    public static long Now => Environment.TickCount64;

    /// <summary>Hands a message from another member to the core.</summary>
    public void Step(ReplicaMessage message)
    {
        Core.Step(message, Now);
        Flush();
    }

    /// <summary>Lets time pass (heartbeats, retries).</summary>
    public void Tick()
    {
        Core.Tick(Now);
        Flush();
    }

    /// <summary>Sends a snapshot through <paramref name="sequence"/> to <paramref name="member"/>; see <see cref="ReplicaCore.SendSnapshot"/>.</summary>
    public bool SendSnapshot(string member, long sequence, ReadOnlyMemory<byte> payload)
    {
        var sent = Core.SendSnapshot(member, sequence, payload);
        Flush();
        return sent;
    }

    /// <summary>Carries out what the core decided since the last call; call after every call into <see cref="Core"/>.</summary>
    public void Flush()
    {
        for (var ready = Core.TakeReady(); !ready.IsEmpty; ready = Core.TakeReady())
        {
            foreach (var message in Coalesce(ready.Immediate)) _network.Send(_shardId, message);
            if (ready.HasWrites || _pending.Count > 0) Write(ready);
            else foreach (var message in ready.AfterPersist) _network.Send(_shardId, message);
            if (ready.Role is { } role) _owner.RoleChanged(role);
            if (ready.Commit is { } commit) _owner.Committed(commit);
            foreach (var member in ready.SnapshotsWanted) _owner.SnapshotWanted(member);
        }
    }

    /// <summary>A write the shell started has ended; false when it belongs to another shell (an earlier incarnation).</summary>
    /// <exception cref="ReplicaWriteException">It failed: the replica must start again from what is durable.</exception>
    public bool OnWritten(ReplicaWritten written)
    {
        if (!ReferenceEquals(written.Shell, this)) return false;
        if (written.Failure is { } failure) throw new ReplicaWriteException($"shard {_shardId}: a replica write failed: {failure.Message}", failure);
        written.Pending.Done = true;
        while (_pending.TryPeek(out var head) && head.Done)
        {
            _pending.Dequeue();
            Core.Persisted(head.Ready);
            foreach (var message in head.Ready.AfterPersist) _network.Send(_shardId, message);
        }

        Flush();
        return true;
    }

    // Appends to one member that follow on from each other (entries proposed between two flushes) go as one, which
    // is what the core would have sent had it had them all at once: one message, one write and one reply per batch.
    private static IReadOnlyList<ReplicaMessage> Coalesce(IReadOnlyList<ReplicaMessage> messages)
    {
        if (messages.Count < 2) return messages;
        var merged = new List<ReplicaMessage>(messages.Count);
        foreach (var message in messages)
        {
            if (message is Append next && merged.Count > 0 && FindOpenAppend(merged, next) is var at and >= 0)
            {
                var first = (Append)merged[at];
                merged[at] = first with { Entries = [.. first.Entries, .. next.Entries], Commit = Math.Max(first.Commit, next.Commit) };
                continue;
            }

            merged.Add(message);
        }

        return merged;
    }

    // The append to the same member, of the same epoch, whose entries end where this one's begin.
    private static int FindOpenAppend(List<ReplicaMessage> merged, Append next)
    {
        for (var i = merged.Count - 1; i >= 0; i--)
        {
            if (merged[i] is not Append append || append.To != next.To) continue;
            return append.Epoch == next.Epoch && append.PreviousSequence + append.Entries.Count == next.PreviousSequence ? i : -1;
        }

        return -1;
    }

    // Starts the ready's writes at once, in order behind the ones before (the WAL keeps that order), except after an
    // install: the log's appends must wait until its reset is written.
    private void Write(Ready ready)
    {
        var pending = new Pending(ready);
        _pending.Enqueue(pending);
        var pid = _codec.PersistenceId;
        var log = Core.Log;
        long? epochBeforeCut = ready.Truncate is { } after ? log.EpochAt(after) : null;
        var previous = ready.Entries.Count > 0 ? ready.Entries[0].Sequence - 1 : 0;
        var previousEpoch = ready.Entries.Count > 0 ? log.EpochAt(previous) : null;
        List<ReplicatedRecord>? records = null;
        if (ready.Entries.Count > 0)
        {
            records = new List<ReplicatedRecord>(ready.Entries.Count);
            foreach (var entry in ready.Entries) records.Add(_codec.Record(entry));
        }

        SaveMetadata(ready);

        Task LogWrites()
        {
            var writes = new List<Task>(2);
            if (ready.Truncate is { } cut) writes.Add(_wal.Truncate(pid, cut + 1, epochBeforeCut ?? 0));
            if (records is not null) writes.Add(_wal.Append(pid, previous, previousEpoch ?? 0, records));
            return Task.WhenAll(writes);
        }

        Task done;
        if (ready.Snapshot is { } image)
        {
            var install = _owner.Install(image);
            done = _installing = InstallThenWrite(_installing, install, LogWrites);
        }
        else done = _installing is { IsCompleted: false } installing ? Then(installing, LogWrites) : LogWrites();

        var shell = this;
        done.ContinueWith(t => new ReplicaWritten(shell, pending, t.Exception?.GetBaseException()), TaskScheduler.Default).PipeTo(_self);
    }

    private static Task Then(Task? before, Func<Task> next) => before is null ? next() : before.ContinueWith(_ => next()).Unwrap();

    // A failed install fails the ready too (the replica starts again from what is durable); the log's own writes
    // never go ahead of the reset.
    private static async Task InstallThenWrite(Task? before, Func<Task> install, Func<Task> logWrites)
    {
        if (before is not null) await before.ConfigureAwait(false);
        await install().ConfigureAwait(false);
        await logWrites().ConfigureAwait(false);
    }

    // The promise and the group are small and rare: written at once, synced, before anything that depends on them is sent.
    private void SaveMetadata(Ready ready)
    {
        var metadata = _metadata;
        if (ready.Promised is { } promised) metadata = metadata with { PromisedCounter = promised.Counter, PromisedMember = promised.Member };
        var group = ready.Snapshot?.Base.Configuration;
        foreach (var entry in ready.Entries)
            if (entry.Configuration is { } configuration) group = configuration;
        if (group is not null) metadata = metadata with { Members = [.. group.Members] };
        if (ready.Rejoined) metadata = metadata with { Rejoining = false };
        if (ReferenceEquals(metadata, _metadata)) return;
        _network.Metadata.Save(_codec.PersistenceId, metadata);
        _metadata = metadata;
    }

    /// <summary>One ready whose writes are under way.</summary>
    public sealed class Pending(Ready ready)
    {
        internal Ready Ready { get; } = ready;

        internal bool Done { get; set; }
    }
}

/// <summary>The writes of one of a shell's readies ended (with <paramref name="Failure"/> when they failed).</summary>
public sealed record ReplicaWritten(ReplicaShell Shell, ReplicaShell.Pending Pending, Exception? Failure);

/// <summary>A replica's write to its WAL failed: it starts again from what is durable.</summary>
public sealed class ReplicaWriteException(string message, Exception inner) : Exception(message, inner);
