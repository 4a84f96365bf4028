namespace AegisKV.Server.Hosting;

/// <summary>
/// Makes sure the data directory can be used — created with mode 0700 when missing, a directory,
/// closed to other users, writable — and holds its <c>LOCK</c> file exclusively while the node runs, so a second node
/// started on the same directory stops with one line instead of writing over the first one's WAL.
/// </summary>
public sealed class DataDirectoryLock : IDisposable
{
    private const string LockFileName = "LOCK";
    private readonly FileStream? _lock;

    private DataDirectoryLock(FileStream? lockFile) => _lock = lockFile;

    /// <summary>
    /// Prepares and locks <paramref name="path"/>. With <paramref name="writesFiles"/> false
    /// (<c>--wal=off</c>) the directory is only created: nothing is written there, so there is nothing to guard.
    /// </summary>
    /// <exception cref="StartupException">
    /// The directory cannot be created, is not a directory, is open to other users, is not writable, or is locked by another node.
    /// </exception>
    public static DataDirectoryLock Acquire(string path, bool writesFiles)
    {
        if (File.Exists(path)) throw new StartupException($"--data-dir: '{path}' is a file, not a directory");
        try
        {
            // The data directory holds every value: only the node's user may read it.
            if (OperatingSystem.IsWindows()) Directory.CreateDirectory(path);
            else Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StartupException($"--data-dir: cannot create '{path}': {e.Message}", e);
        }

        RefuseIfShared(path);
        if (!writesFiles) return new DataDirectoryLock(null);
        var probe = Path.Combine(path, ".write-check");
        try
        {
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StartupException($"--data-dir: '{path}' is not writable: {e.Message}", e);
        }

        FileStream lockFile;
        try
        {
            // FileShare.None is an exclusive lock that another process's open fails on while this one lives.
            var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            lockFile = new FileStream(Path.Combine(path, LockFileName), options);
        }
        catch (IOException e)
        {
            throw new StartupException($"--data-dir: '{path}' is in use by another running AegisKV node (its {LockFileName} file is locked)", e);
        }

        lockFile.SetLength(0);
        lockFile.Write(System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId + "\n"));
        lockFile.Flush();
        return new DataDirectoryLock(lockFile);
    }

    // A directory made before (by hand, by a volume mount) may let other users read every value: refused, with the fix.
    private static void RefuseIfShared(string path)
    {
        if (OperatingSystem.IsWindows()) return;
        const UnixFileMode shared = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
                                    | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        var mode = File.GetUnixFileMode(path);
        if ((mode & shared) == 0) return;
        throw new StartupException($"--data-dir: '{path}' is open to other users (mode 0{Convert.ToString((int)mode & 0x1FF, 8)}) and holds every value; "
                                   + $"run: chmod 700 '{path}'");
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose() => _lock?.Dispose();
}
