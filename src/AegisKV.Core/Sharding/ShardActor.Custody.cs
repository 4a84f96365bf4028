using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using AegisKV.Core.Replies;
using AegisKV.Core.State;

namespace AegisKV.Core.Sharding;

// Custody: a recovered shard serves only once the cluster's record says this node holds its newest copy, and a
// shard told to hand off ships its state to the next owner and records it there before it stops.
public sealed partial class ShardActor
{
    private ShardMode _mode = ShardMode.Serving;
    private CustodyClaim? _refusal;
    private Stopwatch? _handoffClock;
    private int _handoffAttempts;

    private void Claim()
    {
        _mode = ShardMode.Claiming;
        _peers!.Custody.ClaimAsync(_shardId).PipeTo(Self,
            failure: e => new CustodyClaim(CustodyOutcome.NoQuorum, 0, null, e.Message));
    }

    // Handles what arrives while the shard does not serve; false for what the serving shard handles the same way.
    private bool HandleUnlessServing(object message)
    {
        switch (message)
        {
            case CustodyClaim claim when _mode is ShardMode.Claiming or ShardMode.Refusing:
                OnClaim(claim);
                return true;
            case RetryClaim when _mode == ShardMode.Refusing:
                Claim();
                return true;
            case ShardBatch or RecoverShard when _mode == ShardMode.Claiming:
                Stash.Stash();
                return true;
            case ShardBatch batch when _mode == ShardMode.Refusing:
                Sender.Tell(new ShardBatchReply(batch.RequestId, Refusals(batch.Commands.Length)));
                return true;
            case ShardBatch batch when _mode == ShardMode.HandingOff:
                // The region holds it until the shard runs on its next node, then delivers it there.
                _peers!.Region!.Tell(batch, Sender);
                return true;
            case RecoverShard when _mode == ShardMode.Refusing:
                Sender.Tell(new ShardRecovered(_shardId, 0, _state.Epoch));
                return true;
            case StopShard when _mode is ShardMode.Claiming or ShardMode.Refusing:
                // Not this node's copy to give: it stays where custody says it is.
                Context.Stop(Self);
                return true;
            case HandoffOutcome outcome when _mode == ShardMode.HandingOff:
                OnHandoffOutcome(outcome);
                return true;
            case TransferRecorded recorded when _mode == ShardMode.HandingOff:
                OnTransferRecorded(recorded);
                return true;
            case RetryHandoff when _mode == ShardMode.HandingOff:
                BeginHandoff();
                return true;
            case StopShard or SweepExpired or RetryEpoch or CustodyClaim or RetryClaim:
                return true;
            default:
                return false;
        }
    }

    private void OnClaim(CustodyClaim claim)
    {
        if (_localShards?.WaitingForCluster(_shardId, claim.Outcome == CustodyOutcome.NoQuorum ? claim.Reason : null) == true)
            _log.Warning("Shards wait before they serve: {0}", claim.Reason);
        if (claim.Outcome == CustodyOutcome.Serve)
        {
            _mode = ShardMode.Serving;
            _refusal = null;
            StartServing(claim.Epoch);
            Stash.UnstashAll();
            return;
        }

        if (claim.Outcome != CustodyOutcome.NoQuorum && (_refusal?.Outcome != claim.Outcome || _refusal.Holder != claim.Holder))
            _log.Warning("Shard {0} does not serve on this node: {1}", _shardId, claim.Reason);
        _mode = ShardMode.Refusing;
        _refusal = claim;
        Stash.UnstashAll();
        // Without a majority, ask again soon; with the copy elsewhere, placement moves the shard (or stops it here once
        // that node returns), so asking is only a check, and every ask is a synced write on each member.
        Timers.StartSingleTimer("claim", RetryClaim.Instance, claim.Outcome == CustodyOutcome.NoQuorum ? _peers!.ClaimRetry : _peers!.ClaimRetry * 5);
    }

    private Reply[] Refusals(int count)
    {
        var error = _refusal!.Outcome switch
        {
            CustodyOutcome.HolderUnavailable => Errors.Text("CLUSTERDOWN The shard holding this key is unavailable: " + _refusal.Reason),
            CustodyOutcome.NoQuorum => Errors.Text("CLUSTERDOWN The cluster cannot tell which node holds this key's shard: " + _refusal.Reason),
            _ => Errors.Text($"TRYAGAIN shard {_shardId} is moving: {_refusal.Reason}"),
        };
        var replies = new Reply[count];
        Array.Fill(replies, error);
        return replies;
    }

    // Stops taking requests (they go back through the region), lets the writes in flight become durable, then ships.
    private void StartHandoff()
    {
        _localShards?.Leaving(_shardId, Self);
        _mode = ShardMode.HandingOff;
        _handoffClock = Stopwatch.StartNew();
        Timers.CancelAll();
        AfterWrites(null, null, BeginHandoff);
    }

    private void BeginHandoff()
    {
        var target = _peers?.Custody.HandoffTargetFor(_shardId);
        if (target is null)
        {
            if (!SnapshotBeforeStop()) Context.Stop(Self);
            return;
        }

        _handoffAttempts++;
        var snapshot = _state.ToSnapshot();
        var payload = Context.System.Serialization.FindSerializerForType(typeof(ShardSnapshot)).ToBinary(snapshot);
        Context.ActorOf(HandoffSender.Props(_shardId, _state.Epoch, payload, target, _peers!.HandoffTimeout));
    }

    private void OnHandoffOutcome(HandoffOutcome outcome)
    {
        if (outcome.Shipped)
        {
            var bytes = outcome.Bytes;
            _peers!.Custody.TransferAsync(_shardId, outcome.Target).PipeTo(Self,
                success: () => new TransferRecorded(outcome.Target, true, bytes, ""),
                failure: e => new TransferRecorded(outcome.Target, false, bytes, e.Message));
            return;
        }

        if (_handoffAttempts < 3)
        {
            _log.Warning("Shard {0}: hand-off to {1} failed ({2}); trying again", _shardId, outcome.Target, outcome.Reason);
            Timers.StartSingleTimer("handoff", RetryHandoff.Instance, TimeSpan.FromSeconds(1));
            return;
        }

        _log.Error("Shard {0} stays on this node: hand-off to {1} failed {2} times ({3}); it serves again wherever custody places it",
            _shardId, outcome.Target, _handoffAttempts, outcome.Reason);
        Context.Stop(Self);
    }

    private void OnTransferRecorded(TransferRecorded recorded)
    {
        if (recorded.Recorded)
        {
            _metrics?.Handoffs.Add(1);
            _metrics?.HandoffBytes.Add(recorded.Bytes);
        }

        if (recorded.Recorded)
            _log.Info("Shard {0} handed off to {1}: {2} keys, {3} bytes; not served for {4} ms",
                _shardId, recorded.Target, _state.Count, recorded.Bytes, _handoffClock!.ElapsedMilliseconds);
        else
            _log.Error("Shard {0}: {1} has its data, but the cluster could not record it ({2}); this node stays its holder",
                _shardId, recorded.Target, recorded.Reason);
        Context.Stop(Self);
    }

    private sealed class RetryClaim
    {
        public static readonly RetryClaim Instance = new();
    }

    private sealed class RetryHandoff
    {
        public static readonly RetryHandoff Instance = new();
    }

    private sealed record TransferRecorded(string Target, bool Recorded, long Bytes, string Reason);
}
