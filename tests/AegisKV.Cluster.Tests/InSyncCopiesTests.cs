using AegisKV.Cluster.Placement;
using AegisKV.Core.Replication;

namespace AegisKV.Cluster.Tests;

public sealed class InSyncCopiesTests
{
    private static CopyState Follower(string member, long lastEpoch, long last, long commit, bool rejoining = false) =>
        new(3, member, false, rejoining, lastEpoch, last, commit, []);

    [Fact]
    public void A_member_that_leads_should_be_taken_at_its_word()
    {
        var states = new[]
        {
            Follower("b", 4, 900, 900),
            new CopyState(3, "a", true, false, 4, 1000, 990, ["a", "c"]),
            Follower("c", 4, 1000, 990),
        };
        Assert.Equal(["a", "c"], InSyncCopies.Of(states, 1000).Order());
    }

    [Fact]
    public void Without_a_primary_members_behind_the_newest_epoch_or_what_is_committed_should_not_be_in_sync()
    {
        var states = new[]
        {
            Follower("a", 5, 2000, 1990),
            Follower("b", 5, 1995, 1980),
            Follower("c", 5, 900, 900),
            // Its log runs further, but in an epoch the others have left behind: a suffix that will be cut.
            Follower("d", 4, 2500, 1000),
            Follower("e", 5, 2000, 1990, rejoining: true),
        };
        Assert.Equal(["a", "b"], InSyncCopies.Of(states, 10).Order());
        Assert.Equal(["a", "b", "c"], InSyncCopies.Of(states, 1090).Order());
    }

    [Fact]
    public void No_answers_should_leave_no_member_in_sync() => Assert.Empty(InSyncCopies.Of([], 1000));
}
