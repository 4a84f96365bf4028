using System.Collections.Concurrent;
using Akka.Actor;

namespace AegisKV.Storage;

/// <summary>
/// The WAL journals open in an actor system, by journal actor, so that a persistent actor whose journal is one of
/// them can hand its writes to the WAL directly (<see cref="WalAppender"/>) instead of through the journal actor.
/// </summary>
public sealed class WalJournals : IExtension
{
    private readonly ConcurrentDictionary<IActorRef, WalLog> _open = new();
    private readonly ExtendedActorSystem _system;

    internal WalJournals(ExtendedActorSystem system) => _system = system;

    /// <summary>The extension of <paramref name="system"/>.</summary>
    public static WalJournals Get(ActorSystem system) => system.WithExtension<WalJournals, WalJournalsProvider>();

    /// <summary>
    /// An appender for <paramref name="persistenceId"/> on the WAL of <paramref name="journal"/>, or null when that
    /// journal is not a WAL journal (or is restarting). The appender writes to the WAL open now: after the journal
    /// restarts (an I/O failure) its writes fail, and the writer recovers and takes a new one.
    /// </summary>
    public WalAppender? AppenderFor(IActorRef journal, string persistenceId) =>
        _open.TryGetValue(journal, out var wal) ? new WalAppender(wal, _system, persistenceId) : null;

    internal void Opened(IActorRef journal, WalLog wal) => _open[journal] = wal;

    internal void Closed(IActorRef journal, WalLog wal) => _open.TryRemove(KeyValuePair.Create(journal, wal));
}

/// <summary>Creates the <see cref="WalJournals"/> extension.</summary>
public sealed class WalJournalsProvider : ExtensionIdProvider<WalJournals>
{
    /// <inheritdoc />
    public override WalJournals CreateExtension(ExtendedActorSystem system) => new(system);
}
