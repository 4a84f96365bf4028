using Akka.Actor;
using Akka.Event;
using AegisKV.Replication;

namespace AegisKV.Core.Sharding;

// Group changes (ADR 0015): the primary keeps its group at the replication factor. Once a second it asks the network
// whether a member is lost or one is missing, and makes that one change through the log; once a change (or its own
// epoch, which restates the group) is committed, it records the group in the cluster's metadata, where placement
// looks for the nodes that hold a copy.
public sealed partial class ShardActor
{
    private static readonly TimeSpan GroupCheckInterval = TimeSpan.FromSeconds(1);
    // The configuration sequence whose group the cluster's metadata is known to hold (or a record of it is under way).
    private long _groupRecordedAt;
    private bool _groupRecording;

    private void StartGroupChecks() => Timers.StartPeriodicTimer("group-check", CheckGroup.Instance, GroupCheckInterval);

    // Group changes' own messages; false for the others.
    private bool HandleGroupChange(object message)
    {
        switch (message)
        {
            case CheckGroup:
                OnCheckGroup();
                return true;
            case GroupChangeRecorded recorded:
                _groupRecording = false;
                if (recorded.Written) _groupRecordedAt = Math.Max(_groupRecordedAt, recorded.Sequence);
                return true;
            default:
                return false;
        }
    }

    private void OnCheckGroup()
    {
        if (_mode != ShardMode.Serving || _rebuild || _shell is not { } shell) return;
        var core = shell.Core;
        var changedAt = core.Log.ConfigurationSequence;
        // One change at a time: the last one commits first.
        if (changedAt > core.Commit) return;
        var group = core.Configuration;
        if (_groupRecordedAt < changedAt)
        {
            if (_groupRecording) return;
            _groupRecording = true;
            Network.RecordGroupChangeAsync(_shardId, group, changedAt)
                .PipeTo(Self, success: written => new GroupChangeRecorded(changedAt, written), failure: _ => new GroupChangeRecorded(changedAt, false));
            return;
        }

        if (Network.NextGroupStep(_shardId, group) is not { } step) return;
        if (core.ProposeConfiguration(step.Next) == 0) return;
        _log.Info("Shard {0} changes its group from {1} to {2}: {3}", _shardId, group, step.Next, step.Reason);
        ApplyNewEntries();
        shell.Flush();
    }

    private sealed class CheckGroup
    {
        public static readonly CheckGroup Instance = new();
    }

    private sealed record GroupChangeRecorded(long Sequence, bool Written);
}
