using Akka.Configuration;

namespace AegisKV.Storage.Tests;

public sealed class SettingsTests
{
    private static Config Journal(string hocon = "")
        => ConfigurationFactory.ParseString(hocon).WithFallback(WalStorage.DefaultConfig().GetConfig(WalStorage.JournalPluginId));

    [Fact]
    public void The_reference_conf_provides_the_documented_defaults()
    {
        var journal = WalJournalSettings.Create(Journal());
        var snapshots = WalSnapshotStoreSettings.Create(WalStorage.DefaultConfig().GetConfig(WalStorage.SnapshotStorePluginId));

        Assert.Equal(new WalJournalSettings("data/wal", WalMode.Fsync, 64L * 1024 * 1024, TimeSpan.FromSeconds(1)), journal);
        Assert.Equal(new WalSnapshotStoreSettings("data/snapshots", WalMode.Fsync), snapshots);
        Assert.Equal("AegisKV.Storage.WalJournal, AegisKV.Storage", WalStorage.DefaultConfig().GetString(WalStorage.JournalPluginId + ".class"));
    }

    [Theory]
    [InlineData("off", WalMode.Off)]
    [InlineData("\"off\"", WalMode.Off)]
    [InlineData("write", WalMode.Write)]
    [InlineData("FSYNC", WalMode.Fsync)]
    public void Modes_are_parsed(string value, WalMode expected)
        => Assert.Equal(expected, WalJournalSettings.Create(Journal($"mode = {value}")).Mode);

    [Fact]
    public void A_bad_mode_is_rejected_naming_the_key()
    {
        var error = Assert.Throws<ArgumentException>(() => WalJournalSettings.Create(Journal("mode = sometimes")));
        Assert.Equal("mode", error.ParamName);
        Assert.Contains("sometimes", error.Message, StringComparison.Ordinal);

        var snapshotError = Assert.Throws<ArgumentException>(() => WalSnapshotStoreSettings.Create(ConfigurationFactory.ParseString("dir = x\nmode = later")));
        Assert.Equal("mode", snapshotError.ParamName);
    }

    [Fact]
    public void A_segment_size_out_of_range_is_rejected_naming_the_key()
    {
        var error = Assert.Throws<ArgumentException>(() => WalJournalSettings.Create(Journal("segment-size = 100b")));
        Assert.Equal("segment-size", error.ParamName);
    }

    [Fact]
    public void The_data_directory_config_points_both_plugins_below_one_directory()
    {
        var config = WalStorage.DataDirectoryConfig("/var/lib/aegis").WithFallback(WalStorage.DefaultConfig());

        Assert.Equal(Path.Combine("/var/lib/aegis", "wal"), WalJournalSettings.Create(config.GetConfig(WalStorage.JournalPluginId)).Directory);
        Assert.Equal(Path.Combine("/var/lib/aegis", "snapshots"), WalSnapshotStoreSettings.Create(config.GetConfig(WalStorage.SnapshotStorePluginId)).Directory);
    }
}
