using AegisKV.Replication;

namespace AegisKV.Replication.Tests;

public sealed class GroupRefillTests
{
    private static readonly GroupConfiguration Group = new(["a/1", "b/1", "c/1"]);

    private static string NodeOf(string member) => member[..member.IndexOf('/')];

    private static GroupStep? Next(GroupConfiguration current, Func<string, MemberPresence> presence, params string[] candidates) =>
        GroupRefill.Next(current, 3, "a/1", presence, candidates, NodeOf);

    [Fact]
    public void A_group_whose_members_are_all_present_should_not_change() =>
        Assert.Null(Next(Group, _ => MemberPresence.Present, "a/1", "b/1", "c/1", "d/1"));

    [Fact]
    public void A_member_that_is_only_absent_should_keep_its_place() =>
        Assert.Null(Next(Group, m => m == "c/1" ? MemberPresence.Absent : MemberPresence.Present, "a/1", "b/1", "d/1"));

    [Fact]
    public void A_lost_member_should_be_dropped_before_anyone_is_added()
    {
        var step = Next(Group, m => m == "c/1" ? MemberPresence.Lost : MemberPresence.Present, "d/1", "a/1", "b/1");
        Assert.Equal(new GroupConfiguration(["a/1", "b/1"]), step!.Next);
    }

    [Fact]
    public void The_primary_should_never_drop_itself() =>
        Assert.Null(Next(Group, m => m == "a/1" ? MemberPresence.Lost : MemberPresence.Present, "d/1"));

    [Fact]
    public void A_group_below_the_replication_factor_should_take_the_best_ranked_node_it_lacks()
    {
        var step = Next(new GroupConfiguration(["a/1", "b/1"]), _ => MemberPresence.Present, "b/1", "a/1", "d/1", "e/1");
        Assert.Equal(new GroupConfiguration(["a/1", "b/1", "d/1"]), step!.Next);
    }

    [Fact]
    public void A_node_back_with_another_store_should_join_as_a_new_member_once_its_old_one_is_gone()
    {
        var shrunk = Next(Group, m => m == "c/1" ? MemberPresence.Lost : MemberPresence.Present, "c/2", "a/1", "b/1")!.Next;
        Assert.Equal(new GroupConfiguration(["a/1", "b/1"]), shrunk);
        var refilled = Next(shrunk, _ => MemberPresence.Present, "c/2", "a/1", "b/1")!.Next;
        Assert.Equal(new GroupConfiguration(["a/1", "b/1", "c/2"]), refilled);
    }

    [Fact]
    public void A_group_short_of_members_with_no_node_to_take_should_stay_as_it_is() =>
        Assert.Null(Next(new GroupConfiguration(["a/1", "b/1"]), _ => MemberPresence.Present, "a/1", "b/1"));

    [Fact]
    public void Every_step_should_be_one_member_added_or_removed()
    {
        var step = Next(Group, m => m is "b/1" or "c/1" ? MemberPresence.Lost : MemberPresence.Present, "d/1", "e/1");
        Assert.True(Group.IsOneStepTo(step!.Next));
    }
}
