using AegisKV.Cluster.Custody;

namespace AegisKV.Cluster.Tests.Custody;

public sealed class CustodyStateTests
{
    private static CustodyState Sample() => CustodyState.Empty
        .With(CustodyKeys.Shard(3), new Register(new Ballot(7, "node-b"), new Ballot(6, "node-a"), "node-a"))
        .With(CustodyKeys.Shard(12), new Register(new Ballot(2, "node-c"), Ballot.Zero, null))
        with { Members = Membership.Empty.With("node-a", true).With("node-b", true).With("node-c", true).With("node-c", false) };

    [Fact]
    public void A_state_should_read_back_as_written()
    {
        var state = Sample();

        var read = CustodyState.Decode(state.Encode());

        Assert.Equal(state.Registers, read.Registers);
        Assert.Equal(state.Members, read.Members);
        Assert.Equal(["node-a", "node-b"], read.Members.Members.ToArray());
    }

    [Fact]
    public void A_flipped_byte_anywhere_should_be_refused()
    {
        var bytes = Sample().Encode();
        for (var i = 0; i < bytes.Length; i++)
        {
            var damaged = (byte[])bytes.Clone();
            damaged[i] ^= 0x10;
            Assert.ThrowsAny<InvalidDataException>(() => CustodyState.Decode(damaged));
        }
    }

    [Fact]
    public void The_store_should_keep_the_state_across_instances_and_refuse_a_damaged_file()
    {
        var directory = Path.Combine(Path.GetTempPath(), "aegis-custody-" + Guid.NewGuid().ToString("N"));
        try
        {
            new CustodyStore(directory).Save(Sample());
            Assert.Equal(Sample().Registers, new CustodyStore(directory).Load().Registers);

            var file = Path.Combine(directory, "cluster", "custody");
            var bytes = File.ReadAllBytes(file);
            bytes[^1] ^= 1;
            File.WriteAllBytes(file, bytes);
            var error = Assert.Throws<InvalidDataException>(() => new CustodyStore(directory).Load());
            Assert.Contains("damaged", error.Message);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Ballots_should_order_by_counter_then_node_id()
    {
        Assert.True(new Ballot(2, "a") > new Ballot(1, "z"));
        Assert.True(new Ballot(2, "b") > new Ballot(2, "a"));
        Assert.True(new Ballot(1, "a") > Ballot.Zero);
        Assert.Equal(0, new Ballot(3, "n").CompareTo(new Ballot(3, "n")));
    }

    [Fact]
    public void Membership_copies_should_merge_entry_by_entry_the_higher_version_winning()
    {
        var leader = Membership.Empty.With("a", true).With("b", true);
        var later = leader.With("b", false).With("c", true);
        var stale = Membership.Empty.With("a", true);

        var merged = stale.Merge(later).Merge(leader);

        Assert.Equal(["a", "c"], merged.Members.ToArray());
        Assert.Equal(2, merged.Majority);
        Assert.Same(merged, merged.Merge(stale));
    }

    [Fact]
    public void A_node_that_never_shared_its_data_should_keep_it_under_a_new_id_and_a_cluster_member_should_not()
    {
        var alone = CustodyState.Empty.With(CustodyKeys.Shard(0), new Register(new Ballot(1, "old"), new Ballot(1, "old"), "old"))
            with { Members = Membership.Empty.With("old", true), Owner = "old" };

        var renamed = alone.OwnedBy("new")!;

        Assert.Equal("new", renamed.Owner);
        Assert.Equal(["new"], renamed.Members.Members.ToArray());
        Assert.Equal("new", renamed.Get(CustodyKeys.Shard(0)).Value);
        Assert.Null((alone with { Members = alone.Members.With("other", true) }).OwnedBy("new"));
        Assert.Equal("old", alone.OwnedBy("old")!.Owner);
    }
}
