using Microsoft.Win32.SafeHandles;

namespace AegisKV.Storage;

/// <summary>
/// One segment file. The writer loop owns <see cref="Length"/> and writing; replays share the handle with
/// positional reads and pin the segment so compaction cannot close or delete it under them.
/// </summary>
internal sealed class Segment
{
    private readonly object _gate = new();
    private SafeFileHandle? _handle;
    private int _readers;
    private bool _retired;
    private bool _deleteOnRetire;
    private bool _writable;

    public Segment(string path, long firstPosition, long length)
    {
        Path = path;
        FirstPosition = firstPosition;
        Length = length;
        AllocatedLength = length;
    }

    public string Path { get; }

    /// <summary>The format version in its header (0 when the header did not verify); new segments are of <see cref="WalFormat.Version"/>.</summary>
    public ushort Version { get; init; } = WalFormat.Version;

    public long FirstPosition { get; }

    /// <summary>Bytes of valid data (header and records) in the file. Writer loop only.</summary>
    public long Length { get; set; }

    /// <summary>
    /// Size of the file: zeros fill it from <see cref="Length"/> on, so that appending and syncing records does not
    /// change the file's size (and an fsync writes the data, not the inode as well). Writer loop only.
    /// </summary>
    public long AllocatedLength { get; set; }

    /// <summary>The start-up scan found bytes in it that do not verify; compaction leaves it alone.</summary>
    public bool Damaged { get; set; }

    /// <summary>Bytes known to be on disk: what an operating system crash would keep. Writer loop only.</summary>
    public long SyncedLength { get; set; }

    /// <summary>Records written to or found in this segment, of any type. Writer loop only.</summary>
    public int RecordCount { get; set; }

    /// <summary>Index entries still pointing into this segment. Guarded by the index lock.</summary>
    public int LiveRecords { get; set; }

    /// <summary>Handle for appending; only the writer loop calls this.</summary>
    public SafeFileHandle WriteHandle()
    {
        lock (_gate)
        {
            if (_handle is not null && !_writable)
            {
                // Opened read-only by a replay before the segment became active; segments only become
                // active at start-up or right after creation, so nobody is reading it now.
                if (_readers > 0)
                    throw new InvalidOperationException($"WAL segment {Path} is being read while it is activated for writing.");
                _handle.Dispose();
                _handle = null;
            }
            if (_handle is null)
            {
                _handle = File.OpenHandle(Path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete);
                _writable = true;
            }
            return _handle;
        }
    }

    /// <summary>Pins the segment for reading; pair with <see cref="Release"/>.</summary>
    public SafeFileHandle Acquire()
    {
        lock (_gate)
        {
            if (_retired)
                throw new ObjectDisposedException(Path, "The WAL segment was closed.");
            _handle ??= File.OpenHandle(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            _readers++;
            return _handle;
        }
    }

    public void Release()
    {
        lock (_gate)
        {
            _readers--;
            if (_readers == 0 && _retired)
                CloseLocked();
        }
    }

    /// <summary>Closes the file once no reader holds it, deleting it if asked (compaction).</summary>
    public void Retire(bool deleteFile)
    {
        lock (_gate)
        {
            _retired = true;
            _deleteOnRetire |= deleteFile;
            if (_readers == 0)
                CloseLocked();
        }
    }

    private void CloseLocked()
    {
        _handle?.Dispose();
        _handle = null;
        if (_deleteOnRetire)
        {
            _deleteOnRetire = false;
            try
            {
                File.Delete(Path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Harmless: a leftover segment only holds records that later markers cover again;
                // the next start-up compacts it.
            }
        }
    }
}
