using System.Diagnostics.Metrics;

namespace AegisKV.Storage;

/// <summary>
/// WAL instruments on the <see cref="Meter"/> named <see cref="MeterName"/>; the host exports them
/// (e.g. to Prometheus). Values are process-wide sums over all journals.
/// </summary>
public static class WalMetrics
{
    /// <summary>Name of the meter.</summary>
    public const string MeterName = "AegisKV.Storage";

    /// <summary>Counter: bytes appended to segment files.</summary>
    public const string WrittenBytesName = "aegis_wal_written_bytes";

    /// <summary>Counter: records appended (events and markers).</summary>
    public const string RecordsWrittenName = "aegis_wal_records_written";

    /// <summary>Histogram: duration of each fsync in seconds.</summary>
    public const string FsyncSecondsName = "aegis_wal_fsync_seconds";

    /// <summary>Counter: fsyncs of segment files.</summary>
    public const string FsyncsName = "aegis_wal_fsyncs";

    /// <summary>Observable gauge: segment files currently open.</summary>
    public const string SegmentsName = "aegis_wal_segments";

    /// <summary>Counter: corrupt records and regions found while recovering or reading.</summary>
    public const string CorruptRecordsName = "aegis_wal_corrupt_records";

    /// <summary>Counter: writes or fsyncs of the WAL that failed (full disk, I/O error).</summary>
    public const string WriteErrorsName = "aegis_wal_write_errors";

    private static long _segments;

    /// <summary>The meter all WAL instruments belong to.</summary>
    public static Meter Meter { get; } = new(MeterName, "1.0");

    internal static Counter<long> WrittenBytes { get; } = Meter.CreateCounter<long>(WrittenBytesName, "By", "Bytes appended to WAL segment files.");

    internal static Counter<long> RecordsWritten { get; } = Meter.CreateCounter<long>(RecordsWrittenName, "{record}", "Records appended to the WAL.");

    internal static Histogram<double> FsyncSeconds { get; } = Meter.CreateHistogram<double>(FsyncSecondsName, "s", "Duration of WAL fsyncs.");

    internal static Counter<long> Fsyncs { get; } = Meter.CreateCounter<long>(FsyncsName, "{fsync}", "WAL fsyncs.");

    internal static Counter<long> CorruptRecords { get; } = Meter.CreateCounter<long>(CorruptRecordsName, "{record}", "Corrupt WAL records or regions found.");

    internal static Counter<long> WriteErrors { get; } = Meter.CreateCounter<long>(WriteErrorsName, "{error}", "WAL writes or fsyncs that failed.");

    internal static ObservableGauge<long> Segments { get; } = Meter.CreateObservableGauge(SegmentsName, () => Volatile.Read(ref _segments), "{segment}", "WAL segment files currently open.");

    internal static void AddSegments(long delta) => Interlocked.Add(ref _segments, delta);
}
