using Akka.Actor;
using Akka.Persistence;

namespace AegisKV.Core.Sharding;

// Snapshots of the shard's map, after every SnapshotEvery events.
public sealed partial class ShardActor
{
    // Gives the node's snapshot turn back once; a reply that arrives after a restart has nothing to give back.
    private void EndSnapshot()
    {
        if (!_snapshotInProgress) return;
        _snapshotInProgress = false;
        _memory.SnapshotDone();
    }

    // Snapshot when no write is in flight, so the snapshot holds only durable data; under a write stream that never
    // pauses, snapshot anyway once twice overdue: replaying events the snapshot already holds is harmless, as events
    // are assignments and a list event carries the generation it makes (ListValue).
    private void MaybeSnapshot()
    {
        if (_snapshotInProgress || _eventsSinceSnapshot < _settings.SnapshotEvery) return;
        if (_pendingWrites > 0 && _eventsSinceSnapshot < 2L * _settings.SnapshotEvery) return;
        // Another shard of this node is writing its snapshot: try again after a later write.
        if (!_memory.TryStartSnapshot()) return;
        _snapshotInProgress = true;
        _eventsSinceSnapshot = 0;
        // Through the writes known durable; any in flight are in the map too, and replaying them again is harmless.
        SnapshotStore.Tell(new SaveSnapshot(new SnapshotMetadata(PersistenceId, _durableThrough, DateTime.UtcNow), _state.ToSnapshot()));
    }

    // The shard stops with nowhere to hand off to (the node stops): a last snapshot through every write, all durable
    // by now, so that the next start loads it instead of replaying the WAL behind the last one. False when there is
    // nothing to save (or a snapshot is being saved already); the shard then stops at once.
    private bool SnapshotBeforeStop()
    {
        if (_eventsSinceSnapshot == 0 || _snapshotInProgress || _pendingWrites > 0) return false;
        _stopAfterSnapshot = true;
        _eventsSinceSnapshot = 0;
        SnapshotStore.Tell(new SaveSnapshot(new SnapshotMetadata(PersistenceId, _durableThrough, DateTime.UtcNow), _state.ToSnapshot()));
        // Stopping must not hang on the snapshot store: the WAL holds everything anyway.
        Timers.StartSingleTimer("final-snapshot", StopAfterSnapshot.Instance, TimeSpan.FromSeconds(10));
        return true;
    }

    private sealed class StopAfterSnapshot
    {
        public static readonly StopAfterSnapshot Instance = new();
    }
}
