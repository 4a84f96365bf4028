namespace AegisKV.Server.Metrics;

/// <summary>
/// The data directory's file system as df counts it: space reserved for root is neither used nor available, so used
/// plus free is what the node can ever have. The gauges, the dashboard's figures and <c>aegis doctor</c> all read it here.
/// </summary>
/// <param name="UsedBytes">Bytes in use.</param>
/// <param name="FreeBytes">Bytes the node may still write.</param>
public readonly record struct DataDisk(long UsedBytes, long FreeBytes)
{
    /// <summary>Used bytes over used plus free.</summary>
    public double UsedFraction => UsedBytes + FreeBytes == 0 ? 0 : (double)UsedBytes / (UsedBytes + FreeBytes);

    /// <summary>The file system holding <paramref name="dataDirectory"/>; null when it cannot be read (it is gone).</summary>
    public static DataDisk? Of(string dataDirectory)
    {
        try
        {
            var drive = new DriveInfo(Path.GetFullPath(dataDirectory));
            return new DataDisk(drive.TotalSize - drive.TotalFreeSpace, drive.AvailableFreeSpace);
        }
        catch (IOException)
        {
            return null;
        }
    }
}
