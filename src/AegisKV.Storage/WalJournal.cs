using System.Collections.Immutable;
using System.Text;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.Persistence;
using Akka.Persistence.Journal;

namespace AegisKV.Storage;

/// <summary>
/// Akka.Persistence journal over the AegisKV write-ahead log (plugin id <c>akka.persistence.journal.aegis-wal</c>).
/// Events are serialized on the journal actor, then group-committed by one writer thread: everything queued
/// is written together and fsync'd once (mode <c>fsync</c>). Supports <see cref="TruncateSuffix"/> and
/// <see cref="GetWalStats"/> besides the standard journal protocol. Tags of <c>Tagged</c> payloads are not
/// stored (there is no query side).
/// </summary>
public sealed class WalJournal : AsyncWriteJournal
{
    private readonly WalJournalSettings _settings;
    private readonly ExtendedActorSystem _system;
    private readonly Akka.Serialization.Serialization _serialization;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private WalLog? _wal;

    /// <summary>Created by Akka.Persistence with the plugin's config section.</summary>
    public WalJournal(Config config)
    {
        _settings = WalJournalSettings.Create(config);
        _system = (ExtendedActorSystem)Context.System;
        _serialization = _system.Serialization;
    }

    private WalLog Wal => _wal ?? throw new InvalidOperationException("The WAL journal has not started.");

    /// <inheritdoc />
    protected override void PreStart()
    {
        base.PreStart();
        var self = Self;
        var metrics = _system.Settings.Setup.Get<WalMetricsSetup>();
        _wal = WalLog.Open(_settings, _log, cause => self.Tell(new WalFailed(cause)), metrics: metrics.HasValue ? metrics.Value.Metrics : null);
        WalJournals.Get(_system).Opened(self, _wal);
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        if (_wal is not null)
            WalJournals.Get(_system).Closed(Self, _wal);
        _wal?.Dispose();
        _wal = null;
        base.PostStop();
    }

    /// <inheritdoc />
    protected override Task<IImmutableList<Exception>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken)
    {
        var wal = Wal;
        var command = new WriteCommand(4096, completeInline: true);
        ImmutableList<Exception>.Builder? rejections = null;
        var index = 0;
        foreach (var message in messages)
        {
            var recordMark = command.RecordCount;
            var bufferMark = command.Buffer.Length;
            Exception? rejection = null;
            try
            {
                Encode(command, message);
            }
            catch (Exception e)
            {
                // Rejected (e.g. not serializable): not stored, and the other atomic writes still are.
                command.Rewind(recordMark, bufferMark);
                rejection = e;
            }
            if (rejection is not null && rejections is null)
            {
                rejections = ImmutableList.CreateBuilder<Exception>();
                for (var i = 0; i < index; i++)
                    rejections.Add(null!);
            }
            rejections?.Add(rejection!);
            index++;
        }
        command.Rejections = rejections?.ToImmutable();
        command.AtomicWrites = index;
        if (command.RecordCount == 0)
        {
            command.Complete();
            return command.Task;
        }
        return wal.Write(command);
    }

    private void Encode(WriteCommand command, AtomicWrite write)
    {
        var events = (IImmutableList<IPersistentRepresentation>)write.Payload;
        var last = events.Count - 1;
        for (var i = 0; i <= last; i++)
        {
            var persistent = events[i];
            var payload = persistent.Payload is Tagged tagged ? tagged.Payload : persistent.Payload;
            command.AddEvent(_system, persistent.PersistenceId, persistent.SequenceNr, payload, persistent.Manifest ?? string.Empty, endsAtomicWrite: i == last);
        }
    }

    /// <inheritdoc />
    public override Task ReplayMessagesAsync(IActorContext context, string persistenceId, long fromSequenceNr, long toSequenceNr, long max, Action<IPersistentRepresentation> recoveryCallback)
    {
        try
        {
            Wal.Replay(persistenceId, fromSequenceNr, toSequenceNr, max, record => recoveryCallback(ToPersistent(persistenceId, record)));
            return Task.CompletedTask;
        }
        catch (Exception e)
        {
            return Task.FromException(e);
        }
    }

    private Persistent ToPersistent(string persistenceId, WalRecordView record)
    {
        var payload = _serialization.Deserialize(record.Payload.ToArray(), record.SerializerId, Encoding.UTF8.GetString(record.SerializerManifestUtf8));
        return new Persistent(payload, record.SequenceNr, persistenceId, Encoding.UTF8.GetString(record.ManifestUtf8),
            isDeleted: false, ActorRefs.NoSender, Encoding.UTF8.GetString(record.WriterGuidUtf8), record.Timestamp);
    }

    /// <inheritdoc />
    public override async Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken cancellationToken)
    {
        var wal = Wal;
        // A writer that recovers starts afresh from the log: any fence from a failed write of its earlier
        // incarnation goes (that incarnation's queued writes are ahead of this in the queue).
        _ = wal.Unfence(persistenceId, 0);
        // Writes still queued for this id must count, or a restarted actor could reuse sequence numbers.
        await wal.Barrier().ConfigureAwait(false);
        return Math.Max(wal.HighestSequenceNr(persistenceId), fromSequenceNr);
    }

    /// <inheritdoc />
    protected override Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken)
        => Wal.Delete(persistenceId, toSequenceNr);

    /// <inheritdoc />
    protected override bool ReceivePluginInternal(object message)
    {
        switch (message)
        {
            case TruncateSuffix truncate:
                HandleTruncate(truncate);
                return true;
            case GetWalStats:
                Sender.Tell(Wal.Stats());
                return true;
            case Replication.GetReplicaLog:
                Sender.Tell(new Replication.WalReplicaLog(Wal));
                return true;
            case ReleaseWriteFence release:
                _ = Wal.Unfence(release.PersistenceId, release.ThroughSequenceNr);
                return true;
            case WalFailed failed:
                // Restarting rescans the log (cutting off whatever the failed write left behind) and
                // reopens the files; until then writes fail fast.
                throw new IOException("WAL I/O failure; restarting the journal.", failed.Cause);
            default:
                return false;
        }
    }

    private void HandleTruncate(TruncateSuffix truncate)
    {
        var sender = Sender;
        if (string.IsNullOrEmpty(truncate.PersistenceId) || truncate.FromSequenceNr < 1)
        {
            sender.Tell(new Status.Failure(new ArgumentException("TruncateSuffix needs a persistence id and a FromSequenceNr of at least 1.", nameof(truncate))));
            return;
        }
        Wal.Truncate(truncate.PersistenceId, truncate.FromSequenceNr).PipeTo(sender, Self,
            success: () => new TruncateSuffixSuccess(truncate.PersistenceId, truncate.FromSequenceNr),
            failure: cause => new Status.Failure(cause));
    }

    /// <inheritdoc />
    public override Task<PersistenceHealthCheckResult> CheckHealthAsync(CancellationToken cancellationToken)
    {
        if (_wal?.Failure is { } failure)
            return Task.FromResult(new PersistenceHealthCheckResult(PersistenceHealthStatus.Unhealthy, "WAL stopped after an I/O failure", failure, null!));
        if (_wal?.WriteFailure is { } unwritable)
            return Task.FromResult(new PersistenceHealthCheckResult(PersistenceHealthStatus.Degraded, unwritable.Message, unwritable, null!));
        return base.CheckHealthAsync(cancellationToken);
    }

    /// <summary>Sent to self by the writer thread when the log fails.</summary>
    private sealed record WalFailed(Exception Cause);
}
