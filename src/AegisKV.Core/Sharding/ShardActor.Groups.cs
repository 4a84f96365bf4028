using Akka.Actor;
using Akka.Event;
using AegisKV.Core.Replication;
using AegisKV.Replication;

namespace AegisKV.Core.Sharding;

// Group changes (ADR 0015): the primary keeps its group at the replication factor. Once a second it asks the network
// whether a member is lost or one is missing, and makes that one change through the log; once a change (or its own
// epoch, which restates the group) is committed and every member it added holds it, it records the group in the
// cluster's metadata, where placement looks for the nodes that hold a copy: a shard moves to a new member only once
// that member's copy knows it is one.
public sealed partial class ShardActor
{
    private static readonly TimeSpan GroupCheckInterval = TimeSpan.FromSeconds(1);
    // The configuration sequence whose group the cluster's metadata is known to hold (or a record of it is under way).
    private long _groupRecordedAt;
    private GroupConfiguration? _groupRecorded;
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
                if (recorded.Written && recorded.Sequence > _groupRecordedAt) (_groupRecordedAt, _groupRecorded) = (recorded.Sequence, recorded.Group);
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
        if (_groupRecordedAt < changedAt && !_groupRecording && AddedMembersHold(core, group, changedAt))
        {
            _groupRecording = true;
            Network.RecordGroupChangeAsync(_shardId, group, changedAt)
                .PipeTo(Self, success: written => new GroupChangeRecorded(changedAt, group, written), failure: _ => new GroupChangeRecorded(changedAt, group, false));
        }

        if (Network.NextGroupStep(_shardId, group) is not { } step) return;
        if (core.ProposeConfiguration(step.Next) == 0) return;
        _log.Info("Shard {0} changes its group from {1} to {2}: {3}", _shardId, group, step.Next, step.Reason);
        ApplyNewEntries();
        shell.Flush();
    }

    // Members not in the group last recorded (all of them, when none was recorded here) hold the log through the change.
    private bool AddedMembersHold(ReplicaCore core, GroupConfiguration group, long changedAt)
    {
        foreach (var member in group.Members)
            if (_groupRecorded?.Contains(member) != true && core.MatchOf(member) < changedAt) return false;
        return true;
    }

    private sealed class CheckGroup
    {
        public static readonly CheckGroup Instance = new();
    }

    private sealed record GroupChangeRecorded(long Sequence, GroupConfiguration Group, bool Written);
}
