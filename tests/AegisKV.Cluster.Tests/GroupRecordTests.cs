using AegisKV.Cluster.Replication;

namespace AegisKV.Cluster.Tests;

public sealed class GroupRecordTests
{
    [Fact]
    public void A_group_first_recorded_should_read_back_with_sequence_zero()
    {
        var record = GroupRecord.Format(["n1/aaaa", "n2/bbbb", "n3/cccc"]);
        Assert.Equal("n1/aaaa,n2/bbbb,n3/cccc", record);
        Assert.Equal(["n1/aaaa", "n2/bbbb", "n3/cccc"], GroupRecord.Members(record));
        Assert.Equal(0, GroupRecord.Sequence(record));
    }

    [Fact]
    public void A_changed_group_should_keep_the_sequence_of_its_change_apart_from_its_members()
    {
        var record = GroupRecord.Format(["n1/aaaa", "n3/dddd"], 1234);
        Assert.Equal(["n1/aaaa", "n3/dddd"], GroupRecord.Members(record));
        Assert.Equal(1234, GroupRecord.Sequence(record));
        Assert.True(GroupRecord.Holds(record, "n3"));
        Assert.False(GroupRecord.Holds(record, "n2"));
        Assert.True(GroupRecord.Holds(record, "n3/dddd"));
        Assert.False(GroupRecord.Holds(record, "n3/cccc"));
        Assert.True(GroupRecord.IsGroup(record));
    }

    [Fact]
    public void A_single_holder_should_not_read_as_a_group()
    {
        Assert.False(GroupRecord.IsGroup("node-1"));
        Assert.Equal(0, GroupRecord.Sequence("node-1"));
        Assert.Equal(0, GroupRecord.Sequence(null));
    }
}
