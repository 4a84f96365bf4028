using AegisKV.Replication;

namespace AegisKV.Replication.Tests;

/// <summary>The protocol's rules one at a time, with messages passed by hand and writes taken as durable at once.</summary>
public sealed class ReplicaCoreTests
{
    private static readonly GroupConfiguration Group = new(["a", "b", "c"]);
    private static readonly ReplicaOptions Options = new(WriteQuorum.Majority, HeartbeatMs: 10, RetryMs: 20, LeaseMs: 1000, LeaseMarginMs: 100);

    // Delivers every message until none is left (all replicas up, nothing lost), persisting each ready at once; a
    // member asked for a snapshot sends one through its commit position, its payload naming that position.
    private static void Exchange(long now, params ReplicaCore[] replicas)
    {
        var queue = new Queue<ReplicaMessage>();
        void Drain(ReplicaCore core)
        {
            for (var ready = core.TakeReady(); !ready.IsEmpty; ready = core.TakeReady())
            {
                foreach (var message in ready.Immediate) queue.Enqueue(message);
                core.Persisted(ready);
                foreach (var message in ready.AfterPersist) queue.Enqueue(message);
                foreach (var member in ready.SnapshotsWanted) core.SendSnapshot(member, core.Commit, BitConverter.GetBytes(core.Commit));
            }
        }

        foreach (var replica in replicas) Drain(replica);
        while (queue.TryDequeue(out var message))
        {
            var to = replicas.FirstOrDefault(r => r.Self == message.To);
            if (to is null) continue;
            to.Step(message, now);
            Drain(to);
        }
    }

    private static ReplicaCore New(string id, long now = 0) => New(Options, id, now);

    private static ReplicaCore New(ReplicaOptions options, string id, long now = -1000) => new(id, options, Group, new ReplicaLog(), Epoch.None, now);

    private static (ReplicaCore A, ReplicaCore B, ReplicaCore C) ServingGroup(long now)
    {
        var (a, b, c) = (New("a", -Options.LeaseMs), New("b", -Options.LeaseMs), New("c", -Options.LeaseMs));
        a.StartViewChange(now);
        Exchange(now, a, b, c);
        Assert.True(a.IsServing);
        return (a, b, c);
    }

    [Fact]
    public void A_primary_should_commit_an_entry_once_a_write_quorum_holds_it()
    {
        var (a, b, c) = ServingGroup(0);
        var sequence = a.Propose(new byte[] { 1 });
        Exchange(1, a, b);
        Assert.True(a.Commit >= sequence);
        Assert.Equal(a.Log[sequence].Payload.ToArray(), b.Log[sequence].Payload.ToArray());
        // Only the serving primary takes proposals.
        Assert.Equal(0, c.Propose(new byte[] { 2 }));
    }

    [Fact]
    public void A_primary_should_know_while_a_follower_says_its_node_is_over_its_memory_limit()
    {
        var (a, b, c) = ServingGroup(0);
        Assert.False(a.AnyMemberFull);
        b.Full = true;
        a.Propose(new byte[] { 1 });
        Exchange(1, a, b, c);
        Assert.True(a.AnyMemberFull);
        // Its next answer says it has room again.
        b.Full = false;
        a.Propose(new byte[] { 2 });
        Exchange(2, a, b, c);
        Assert.False(a.AnyMemberFull);
    }

    [Fact]
    public void A_deposed_primary_should_commit_nothing_more()
    {
        var (a, b, c) = ServingGroup(0);
        // b leads a later epoch through c, after the lease c granted a has run out; a hears nothing of it.
        b.StartViewChange(5000);
        Exchange(5000, b, c);
        Assert.True(b.IsServing);
        var stale = a.Propose(new byte[] { 9 });
        Exchange(5001, a, c);
        Assert.True(a.Commit < stale, "a deposed primary committed");
        Assert.NotEqual(ReplicaRole.Primary, a.Role);
    }

    [Fact]
    public void A_member_granting_a_lease_should_promise_no_other_epoch_until_it_runs_out()
    {
        var (a, b, c) = ServingGroup(0);
        // a's heartbeat at 800 reaches b only: b grants a lease until 1800, c's ran out at 1000.
        a.Tick(800);
        Exchange(800, a, b);
        Assert.True(a.HasReadLease(1200));
        c.StartViewChange(1200);
        Exchange(1200, c, b);
        Assert.False(c.IsServing, "b promised c while it granted a a lease");
        // Once b's lease to a has run out (and a's own, counted with a margin, before it), c gets there.
        c.Tick(1900);
        Exchange(1900, c, b);
        Assert.True(c.IsServing);
        Assert.False(a.HasReadLease(1900));
    }

    [Fact]
    public void A_member_waiting_out_its_own_grant_should_not_promise_itself()
    {
        var (a, b, c) = ServingGroup(0);
        // a's heartbeat at 800 reaches b only: b grants a a lease until 1800, c's ran out at 1000.
        a.Tick(800);
        Exchange(800, a, b);
        b.StartViewChange(1200);
        Exchange(1200, b, c);
        Assert.Equal(ReplicaRole.Candidate, b.Role);
        Assert.False(b.IsServing, "b led while it granted a a lease");
        b.Tick(1900);
        c.Tick(1900);
        Exchange(1900, b, c);
        Assert.True(b.IsServing);
        Assert.False(a.HasReadLease(1900));
    }

    [Fact]
    public void A_member_that_lost_its_copy_should_promise_nothing_until_it_holds_the_log_again()
    {
        var (a, b, c) = ServingGroup(0);
        for (byte i = 1; i <= 3; i++) a.Propose(new[] { i });
        Exchange(1, a, b, c);
        // c starts again with its promise but no log (ADR 0016); a is cut off. b alone with c is no majority of copies.
        var lost = new ReplicaCore("c", Options, Group, new ReplicaLog(), c.Promised, 5000, rejoining: true);
        b.StartViewChange(5000);
        Exchange(5000, b, lost);
        Assert.False(b.IsServing, "b led with the promise of a member that holds nothing");
        Assert.Equal(ReplicaRole.Candidate, b.Role);
        Assert.Equal(c.Promised, lost.Promised);

        // a, its primary still, catches it up; then it takes part again, and b gets its majority once the lease it
        // granted a has run out.
        a.Tick(5001);
        Exchange(5001, a, lost);
        Assert.False(lost.IsRejoining);
        Assert.Equal(a.Log.LastSequence, lost.Log.LastSequence);
        b.Tick(7000);
        Exchange(7000, b, lost);
        Assert.True(b.IsServing);
        Assert.Equal(new byte[] { 3 }, b.Log[4].Payload.ToArray());
    }

    // Its commit position starts at its log's base; its snapshot, past that base, is proof that more is committed. Without
    // knowing it, the member could not serve that snapshot to a candidate while no primary tells it the commit position.
    [Fact]
    public void A_member_restarted_with_a_snapshot_past_its_log_base_should_know_those_entries_committed()
    {
        var (a, b, _) = ServingGroup(0);
        for (byte i = 1; i <= 5; i++) a.Propose(new[] { i });
        Exchange(1, a, b);
        var restarted = new ReplicaCore("b", Options, Group, new ReplicaLog(b.Log.After(0)), b.Promised, 2);
        Assert.Equal(0, restarted.Commit);
        restarted.SnapshotHeld(4);
        Assert.Equal(4, restarted.Commit);
        Assert.Equal(4, restarted.TakeReady().Commit);
        restarted.SnapshotHeld(99);
        Assert.Equal(restarted.Log.LastSequence, restarted.Commit);
    }

    [Fact]
    public void A_primary_should_forget_what_it_knew_of_a_member_that_lost_its_copy()
    {
        var (a, _, c) = ServingGroup(0);
        for (byte i = 1; i <= 3; i++) a.Propose(new[] { i });
        Exchange(1, a, c);
        var held = a.MatchOf("c");
        Assert.Equal(a.Log.LastSequence, held);
        var lost = new ReplicaCore("c", Options, Group, new ReplicaLog(), c.Promised, 2, rejoining: true);

        // a's heartbeat finds no entry where it expected one; the answer says the copy was lost.
        a.Tick(100);
        var heartbeat = a.TakeReady().Immediate.OfType<Append>().Single(m => m.To == "c");
        lost.Step(heartbeat, 100);
        var answer = lost.TakeReady().Immediate.OfType<AppendReply>().Single();
        Assert.True(answer is { Success: false, Rejoining: true });
        a.Step(answer, 100);
        Assert.Equal(0, a.MatchOf("c"));
        Assert.DoesNotContain("c", a.InSyncMembers(100));

        Exchange(101, a, lost);
        Assert.Equal(held, a.MatchOf("c"));
        Assert.False(lost.IsRejoining);
        // The primary hears at the next answer that the member holds its copy again.
        a.Tick(200);
        Exchange(200, a, lost);
        Assert.Contains("c", a.InSyncMembers(200));
    }

    [Fact]
    public void A_primary_should_count_in_sync_only_members_that_answered_lately_and_lack_little()
    {
        var options = Options with { InSyncLag = 2 };
        var (a, b, c) = (New(options, "a"), New(options, "b"), New(options, "c"));
        a.StartViewChange(0);
        Exchange(0, a, b, c);
        Assert.Equal(["a", "b", "c"], a.InSyncMembers(1));

        // b hears nothing of five entries: more than it may lack.
        for (byte i = 1; i <= 5; i++) a.Propose(new[] { i });
        Exchange(2, a, c);
        Assert.Equal(["a", "c"], a.InSyncMembers(3));
        a.Tick(20);
        Exchange(20, a, b, c);
        Assert.Equal(["a", "b", "c"], a.InSyncMembers(21));

        // Members that have not answered within the lease are not in sync, however little they lack.
        Assert.Equal(["a"], a.InSyncMembers(20 + options.LeaseMs));
        Assert.Empty(b.InSyncMembers(21));
    }

    [Fact]
    public void A_member_restarted_should_honour_a_lease_it_may_have_granted_before()
    {
        var (a, b, c) = ServingGroup(0);
        // c crashed and restarts at 200 with what it promised: it may have granted a a lease until 1200.
        var restarted = new ReplicaCore("c", Options, Group, new ReplicaLog(c.Log.After(0)), c.Promised, 200);
        b.StartViewChange(1100);
        Exchange(1100, b, restarted);
        Assert.False(b.IsServing, "the restarted member promised at once");
        b.Tick(1300);
        restarted.Tick(1300);
        Exchange(1300, b, restarted);
        Assert.True(b.IsServing);
        _ = a;
    }

    [Fact]
    public void A_member_told_when_its_predecessor_s_lease_ran_out_should_wait_only_that_long()
    {
        var (_, b, c) = ServingGroup(0);
        // At 1100 b's lease to a (from its append at 0) has run out. A replica of c restarted at 200 without knowing
        // what c granted waits until 1200; told that c's grant ran out at 300, it leads at once.
        var unknown = new ReplicaCore("c", Options, Group, new ReplicaLog(c.Log.After(0)), c.Promised, 200);
        unknown.StartViewChange(1100);
        Exchange(1100, unknown, b);
        Assert.False(unknown.IsServing, "a restarted member led within a lease it may have granted");
        var (_, b2, c2) = ServingGroup(0);
        var handedOver = new ReplicaCore("c", Options, Group, new ReplicaLog(c2.Log.After(0)), c2.Promised, 200, grantedUntilMs: 300);
        handedOver.StartViewChange(1100);
        Exchange(1100, handedOver, b2);
        Assert.True(handedOver.IsServing);
    }

    [Fact]
    public void With_a_write_quorum_of_all_a_primary_should_serve_with_a_majority_but_commit_writes_only_with_all()
    {
        var all = Options with { WriteQuorum = WriteQuorum.All };
        var (a, b) = (new ReplicaCore("a", all, Group, new ReplicaLog(), Epoch.None, 0), new ReplicaCore("b", all, Group, new ReplicaLog(), Epoch.None, 0));
        a.StartViewChange(1);
        Exchange(1, a, b);
        Assert.True(a.IsServing, "c is down: the epoch's start needs a majority, as the view change did");
        var write = a.Propose(new byte[] { 1 });
        Exchange(2, a, b);
        Assert.True(a.Commit < write, "a write committed without every member");
        Assert.Equal(2, a.MembersGranting(3));
        Assert.Equal(3, a.WriteQuorumSize);
    }

    [Fact]
    public void A_member_that_never_promised_should_not_wait_for_a_lease_it_cannot_have_granted()
    {
        var (a, b) = (New("a", 0), New("b", 0));
        a.StartViewChange(1);
        Exchange(1, a, b);
        Assert.True(a.IsServing, "a fresh group waited out leases nobody granted");
    }

    [Fact]
    public void A_divergent_suffix_of_an_old_primary_should_be_replaced()
    {
        var (a, b, c) = ServingGroup(0);
        a.Propose(new byte[] { 1 });
        Exchange(1, a, b, c);
        // a appends two entries nobody else gets, then loses its place.
        a.Propose(new byte[] { 2 });
        a.Propose(new byte[] { 3 });
        _ = a.TakeReady();
        b.StartViewChange(5000);
        Exchange(5000, b, c);
        b.Propose(new byte[] { 4 });
        Exchange(5001, b, c);
        // a comes back: its two entries are not b's and go.
        b.Tick(5100);
        Exchange(5100, b, a);
        Assert.Equal(b.Log.LastSequence, a.Log.LastSequence);
        for (var sequence = 1; sequence <= b.Log.LastSequence; sequence++)
            Assert.Equal(b.Log[sequence].Epoch, a.Log[sequence].Epoch);
        Assert.DoesNotContain(Enumerable.Range(1, (int)a.Log.LastSequence), s => a.Log[s].Payload.Span.SequenceEqual(new byte[] { 2 }));
    }

    [Fact]
    public void A_candidate_behind_should_take_the_most_advanced_log_of_a_majority()
    {
        var (a, b, c) = ServingGroup(0);
        a.Propose(new byte[] { 1 });
        a.Propose(new byte[] { 2 });
        Exchange(1, a, b);
        // c missed both; it is told to lead with b's help: it must end up with both entries.
        c.StartViewChange(5000);
        Exchange(5000, c, b);
        Assert.True(c.IsServing);
        Assert.Contains(Enumerable.Range(1, (int)c.Log.LastSequence), s => c.Log[s].Payload.Span.SequenceEqual(new byte[] { 2 }));
    }

    [Fact]
    public void A_follower_whose_next_entries_the_primary_compacted_should_catch_up_from_a_snapshot()
    {
        var (a, b, c) = ServingGroup(0);
        a.Propose(new byte[] { 1 });
        a.Propose(new byte[] { 2 });
        Exchange(1, a, b);
        a.Compact(a.Commit);
        a.Propose(new byte[] { 3 });
        // c missed entries a no longer holds: a snapshot through them, then the entries after it.
        a.Tick(100);
        Exchange(100, a, b, c);
        Assert.True(c.Log.BaseSequence >= a.Log.BaseSequence, "c caught up without a snapshot");
        Assert.Equal(a.Log.LastSequence, c.Log.LastSequence);
        Assert.Equal(a.Log.LastSequence, a.LowestMatch);
        // And from there on, appends as usual.
        var next = a.Propose(new byte[] { 4 });
        Exchange(101, a, b, c);
        Assert.Equal(new byte[] { 4 }, c.Log[next].Payload.ToArray());
    }

    [Fact]
    public void A_candidate_behind_a_member_that_compacted_should_take_its_snapshot()
    {
        var (a, b, c) = ServingGroup(0);
        a.Propose(new byte[] { 1 });
        a.Propose(new byte[] { 2 });
        Exchange(1, a, b);
        // b learns the commit position with the next heartbeat and compacts behind it.
        a.Tick(100);
        Exchange(100, a, b);
        b.Compact(b.Commit);
        Assert.True(b.Log.BaseSequence > c.Log.LastSequence);
        c.StartViewChange(5000);
        Exchange(5000, c, b);
        Assert.True(c.IsServing);
        Assert.Equal(b.Log.BaseSequence, c.Log.BaseSequence);
        Assert.True(c.Commit >= b.Log.BaseSequence);
    }

    [Fact]
    public void Compacting_past_the_commit_position_should_be_refused()
    {
        var (a, b, _) = ServingGroup(0);
        a.Propose(new byte[] { 1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => a.Compact(a.Log.LastSequence));
        _ = b;
    }
}
