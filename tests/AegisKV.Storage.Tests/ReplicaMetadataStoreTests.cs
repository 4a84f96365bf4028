using AegisKV.Storage.Replication;

namespace AegisKV.Storage.Tests;

public sealed class ReplicaMetadataStoreTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "aegis-meta-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void A_shard_without_metadata_should_have_promised_nothing()
    {
        Assert.Equal(ReplicaMetadata.Empty, new ReplicaMetadataStore(_directory).Load("shard-3"));
    }

    [Fact]
    public void Saved_metadata_should_survive_a_new_store_and_stay_apart_per_shard()
    {
        var saved = new ReplicaMetadata(42, "node-2/5f0c", 1234, ["node-1/aa", "node-2/5f0c", "nöde-3/cc"]);
        new ReplicaMetadataStore(_directory).Save("shard-3", saved);
        new ReplicaMetadataStore(_directory).Save("shard-4", ReplicaMetadata.Empty with { PromisedCounter = 7 });
        var store = new ReplicaMetadataStore(_directory);
        Assert.Equal(saved, store.Load("shard-3"));
        Assert.Equal(7, store.Load("shard-4").PromisedCounter);
        Assert.Equal(saved with { Commit = 2000 }, Saved(store, saved with { Commit = 2000 }));
    }

    [Fact]
    public void A_replica_that_lost_its_copy_should_stay_marked_until_it_says_otherwise()
    {
        var store = new ReplicaMetadataStore(_directory);
        var discarded = new ReplicaMetadata(5, "node-1/aa", 0, ["node-1/aa", "node-2/bb", "node-3/cc"], Rejoining: true);
        store.Save("shard-2", discarded);
        Assert.True(new ReplicaMetadataStore(_directory).Load("shard-2").Rejoining);
        Assert.Equal(discarded with { Rejoining = false }, Saved(store, discarded with { Rejoining = false }));
        Assert.NotEqual(discarded, discarded with { Rejoining = false });
    }

    [Fact]
    public void A_file_of_the_first_format_should_be_read_as_not_rejoining()
    {
        // version 1 | counter | member | commit | member count | members | CRC-32C, as the first release wrote it.
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write((byte)1);
            writer.Write(9L);
            writer.Write((ushort)1);
            writer.Write((byte)'a');
            writer.Write(3L);
            writer.Write((ushort)1);
            writer.Write((ushort)1);
            writer.Write((byte)'a');
        }

        var body = buffer.ToArray();
        var file = body.Concat(BitConverter.GetBytes(Crc32C.Compute(body))).ToArray();
        var store = new ReplicaMetadataStore(_directory);
        File.WriteAllBytes(Path.Combine(_directory, "replication", "shard-5.meta"), file);
        Assert.Equal(new ReplicaMetadata(9, "a", 3, ["a"]), store.Load("shard-5"));
    }

    [Fact]
    public void A_damaged_file_should_be_refused_not_read_as_empty()
    {
        var store = new ReplicaMetadataStore(_directory);
        store.Save("shard-1", new ReplicaMetadata(9, "a", 3, ["a", "b", "c"]));
        var path = Directory.GetFiles(Path.Combine(_directory, "replication"), "*.meta").Single();
        var bytes = File.ReadAllBytes(path);
        bytes[3] ^= 0x10;
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<InvalidDataException>(() => store.Load("shard-1"));
        Assert.Contains("cannot know which epoch it promised", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_data_directory_should_keep_one_store_id_and_another_should_get_its_own()
    {
        var first = StoreIdentity.Of(_directory);
        Assert.Equal(first, StoreIdentity.Of(_directory));
        Assert.NotEqual(first, StoreIdentity.Of(Path.Combine(_directory, "other")));
        File.WriteAllText(Path.Combine(_directory, "store-id"), "not an id");
        Assert.Throws<InvalidDataException>(() => StoreIdentity.Of(_directory));
    }

    private static ReplicaMetadata Saved(ReplicaMetadataStore store, ReplicaMetadata metadata)
    {
        store.Save("shard-3", metadata);
        return store.Load("shard-3");
    }
}
