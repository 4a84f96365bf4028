using Akka.Actor;
using Akka.Persistence;
using AegisKV.Core.Replication;
using AegisKV.Replication;

namespace AegisKV.Core.Sharding;

// Snapshots of a replicated shard: handed to a member whose next entries were compacted here, installed when this
// replica is the one behind, taken at committed positions, and the WAL compacted behind them.
public sealed partial class ShardActor
{
    /// <inheritdoc />
    public void SnapshotWanted(string member)
    {
        _snapshotsWanted.Add(member);
        SendWantedSnapshots();
    }

    // A snapshot of the map is at a committed position only while nothing applied waits for its commit.
    private void SendWantedSnapshots()
    {
        var core = _shell!.Core;
        if (_snapshotsWanted.Count == 0 || _applied != core.Commit) return;
        var snapshot = _state.ToSnapshot();
        var payload = Context.System.Serialization.FindSerializerFor(snapshot).ToBinary(snapshot);
        foreach (var member in _snapshotsWanted) _shell.SendSnapshot(member, core.Commit, payload);
        _snapshotsWanted.Clear();
    }

    /// <inheritdoc />
    public Func<Task> Install(SnapshotImage image)
    {
        var (snapshotStore, wal, persistenceId) = (SnapshotStore, _replicaLog!, PersistenceId);
        var snapshot = ShardFollower.Decode(Context.System, image);
        return () => ShardFollower.InstallAsync(snapshotStore, wal, persistenceId, image.Base, snapshot);
    }

    private void MaybeSnapshotReplicated()
    {
        if (_snapshotInProgress || _eventsSinceSnapshot < _settings.SnapshotEvery || _applied != _shell!.Core.Commit) return;
        if (!_memory.TryStartSnapshot()) return;
        _snapshotInProgress = true;
        _eventsSinceSnapshot = 0;
        SnapshotStore.Tell(new SaveSnapshot(new SnapshotMetadata(PersistenceId, _applied, DateTime.UtcNow), _state.ToSnapshot()));
    }

    // Compacts behind the previous snapshot (as unreplicated shards do), and no further than every member's copy
    // reaches, so that a follower a little behind catches up by appends rather than a snapshot; but never holds more
    // than a few snapshots' worth back for one far behind (or gone), which gets a snapshot instead.
    private void CompactBehind(long snapshotSequence)
    {
        var previous = _latestSnapshotSequenceNr;
        _latestSnapshotSequenceNr = snapshotSequence;
        var through = Math.Max(Math.Min(previous, _shell!.Core.LowestMatch), previous - 4L * _settings.SnapshotEvery);
        if (through <= _shell.Core.Log.BaseSequence) return;
        _shell.Core.Compact(through);
        Journal.Tell(new DeleteMessagesTo(PersistenceId, through, Self));
        DeleteSnapshots(new SnapshotSelectionCriteria(previous - 1));
    }
}
