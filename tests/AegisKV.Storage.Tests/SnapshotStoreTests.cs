using Akka.Event;
using Xunit.Abstractions;

namespace AegisKV.Storage.Tests;

public sealed class SnapshotStoreTests(ITestOutputHelper output) : WalTestKit(output)
{
    private const string PersistenceId = "snap/odd:id ü";

    private string[] SnapshotFiles()
    {
        var files = Directory.GetFiles(SnapshotDirectory, "*.snap", SearchOption.AllDirectories);
        Array.Sort(files, StringComparer.Ordinal);
        return files;
    }

    [Fact]
    public async Task A_corrupt_newest_snapshot_is_skipped_for_the_older_valid_one()
    {
        var (actor, _) = await StartAsync(Sys, PersistenceId);
        await AppendManyAsync(actor, "e", 3);
        Assert.Equal(3, await actor.Ask<long>(EventLogActor.TakeSnapshot.Instance, Timeout));
        await AppendManyAsync(actor, "f", 2);
        Assert.Equal(5, await actor.Ask<long>(EventLogActor.TakeSnapshot.Instance, Timeout));
        await AppendAsync(actor, "g-1");
        var node = await RestartAsync(Sys);

        var files = SnapshotFiles();
        Assert.Equal(2, files.Length);
        Assert.StartsWith("00000000000000000005-", Path.GetFileName(files[1]), StringComparison.Ordinal);
        SegmentInspector.FlipByte(files[1], new FileInfo(files[1]).Length - 2);
        var warnings = CreateTestProbe(node);
        node.EventStream.Subscribe(warnings.Ref, typeof(Warning));

        var (_, recovered) = await StartAsync(node, PersistenceId);

        Assert.Equal(["e-1", "e-2", "e-3", "f-1", "f-2", "g-1"], recovered.Events);
        await warnings.FishForMessageAsync<Warning>(w => w.Message.ToString()!.Contains(files[1], StringComparison.Ordinal), Timeout);
        var report = WalVerifier.Verify(DataDirectory);
        Assert.Equal(WalFileStatus.Corrupt, Assert.Single(report.Files, f => f.Path == files[1]).Status);
        Assert.Equal(WalFileStatus.Intact, Assert.Single(report.Files, f => f.Path == files[0]).Status);
    }

    [Fact]
    public async Task A_corrupt_only_snapshot_falls_back_to_a_full_replay()
    {
        var (actor, _) = await StartAsync(Sys, "single-snapshot");
        await AppendManyAsync(actor, "e", 3);
        Assert.Equal(3, await actor.Ask<long>(EventLogActor.TakeSnapshot.Instance, Timeout));
        await AppendAsync(actor, "e-4");
        var node = await RestartAsync(Sys);
        var file = Assert.Single(SnapshotFiles());
        SegmentInspector.FlipByte(file, 40);

        var (_, recovered) = await StartAsync(node, "single-snapshot");

        Assert.Equal(["e-1", "e-2", "e-3", "e-4"], recovered.Events);
    }

    [Fact]
    public async Task Snapshot_directories_are_private_and_named_safely()
    {
        var (actor, _) = await StartAsync(Sys, PersistenceId);
        await AppendAsync(actor, "e-1");
        await actor.Ask<long>(EventLogActor.TakeSnapshot.Instance, Timeout);

        var directory = Assert.Single(Directory.GetDirectories(SnapshotDirectory));
        Assert.Equal("snap%2Fodd%3Aid%20%C3%BC", Path.GetFileName(directory));
        if (!OperatingSystem.IsWindows())
        {
            var expected = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
            Assert.Equal(expected, File.GetUnixFileMode(SnapshotDirectory));
            Assert.Equal(expected, File.GetUnixFileMode(WalDirectory));
        }
    }

    [Fact]
    public async Task Deleting_snapshots_by_criteria_removes_exactly_the_matching_files()
    {
        var (actor, _) = await StartAsync(Sys, "many-snapshots");
        for (var i = 1; i <= 3; i++)
        {
            await AppendAsync(actor, $"e-{i}");
            await actor.Ask<long>(EventLogActor.TakeSnapshot.Instance, Timeout);
        }

        Assert.Equal(2, await actor.Ask<long>(new EventLogActor.DeleteSnapshotsTo(2), Timeout));

        var file = Assert.Single(SnapshotFiles());
        Assert.StartsWith("00000000000000000003-", Path.GetFileName(file), StringComparison.Ordinal);
    }
}
