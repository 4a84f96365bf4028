using System.Runtime.InteropServices;

namespace AegisKV.Storage;

/// <summary>Small file-system helpers: private directories/files and directory fsync.</summary>
public static class FileSystem
{
    private const UnixFileMode PrivateDirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode PrivateFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private static bool _directorySyncUnavailable;

    /// <summary>False once the libc calls behind <see cref="SyncDirectory"/> turned out to be missing.</summary>
    public static bool DirectorySyncAvailable => !OperatingSystem.IsWindows() && !Volatile.Read(ref _directorySyncUnavailable);

    /// <summary>Reads into <paramref name="destination"/> from <paramref name="offset"/> until it is full or the file ends; returns the bytes read.</summary>
    internal static int ReadFully(Microsoft.Win32.SafeHandles.SafeFileHandle handle, Span<byte> destination, long offset)
    {
        var total = 0;
        while (total < destination.Length)
        {
            var read = RandomAccess.Read(handle, destination[total..], offset + total);
            if (read == 0)
                break;
            total += read;
        }
        return total;
    }

    /// <summary>Creates a directory (and parents) readable only by the owner (0700) where the OS supports modes.</summary>
    public static void CreatePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
            Directory.CreateDirectory(path);
        else
            Directory.CreateDirectory(path, PrivateDirectoryMode);
    }

    /// <summary>
    /// Replaces <paramref name="path"/> with <paramref name="content"/> so that a crash leaves the old
    /// file or the new one, whole: a temporary file is written and synced, renamed over it, and the
    /// directory synced.
    /// </summary>
    public static void ReplaceDurably(string path, ReadOnlySpan<byte> content)
    {
        var temporary = path + ".tmp";
        File.Delete(temporary);
        using (var file = new FileStream(temporary, NewFileOptions()))
        {
            file.Write(content);
            file.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
        SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>Options for a new file that must not exist yet, mode 0600 where supported.</summary>
    public static FileStreamOptions NewFileOptions()
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.Read,
            BufferSize = 0,
        };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = PrivateFileMode;
        return options;
    }

    /// <summary>
    /// Fsyncs a directory so that a created, renamed or deleted entry survives a power loss.
    /// .NET cannot open a directory as a file, hence the libc call; best effort and a no-op on Windows.
    /// </summary>
    public static void SyncDirectory(string path)
    {
        if (OperatingSystem.IsWindows() || Volatile.Read(ref _directorySyncUnavailable))
            return;
        try
        {
            var fd = NativeMethods.open(path, 0 /* O_RDONLY */);
            if (fd < 0)
                return;
            try
            {
                NativeMethods.fsync(fd);
            }
            finally
            {
                NativeMethods.close(fd);
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            Volatile.Write(ref _directorySyncUnavailable, true);
        }
    }

    private static class NativeMethods
    {
#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code; three tiny calls do not justify enabling it.
        [DllImport("libc", SetLastError = true)]
        public static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc", SetLastError = true)]
        public static extern int fsync(int fd);

        [DllImport("libc", SetLastError = true)]
        public static extern int close(int fd);
#pragma warning restore SYSLIB1054
    }
}
