namespace AegisKV.ProcessTests;

/// <summary>
/// A tmpfs of a few megabytes mounted on a temporary directory, to fill a node's disk for real.
/// Needs root (CI runs as root); <see cref="TryMount"/> says why when it cannot.
/// </summary>
public sealed class SmallDisk : IDisposable
{
    private SmallDisk(string path) => Path = path;

    public string Path { get; }

    public static SmallDisk? TryMount(string directory, int megabytes, out string why)
    {
        Directory.CreateDirectory(directory);
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            why = "mounting a tmpfs needs root on Linux";
            return null;
        }

        var (code, output) = Command.Run("mount", "-t", "tmpfs", "-o", $"size={megabytes}m,mode=0700", "tmpfs", directory);
        why = code == 0 ? "" : $"mount failed: {output}";
        return code == 0 ? new SmallDisk(directory) : null;
    }

    /// <summary>Takes <paramref name="megabytes"/> of the disk with a file that <see cref="FreeSpace"/> removes.</summary>
    public void Fill(string name, int megabytes)
    {
        using var file = File.Create(System.IO.Path.Combine(Path, name));
        var chunk = new byte[1 << 20];
        for (var i = 0; i < megabytes; i++) file.Write(chunk);
    }

    public void FreeSpace(string name) => File.Delete(System.IO.Path.Combine(Path, name));

    public void Dispose()
    {
        // Lazy: a process that still has a file open there must not keep the mount.
        Command.Run("umount", "-l", Path);
    }
}
