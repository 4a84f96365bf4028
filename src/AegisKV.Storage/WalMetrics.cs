using System.Diagnostics.Metrics;

namespace AegisKV.Storage;

/// <summary>
/// WAL instruments of one node, on a <see cref="Meter"/> named <see cref="MeterName"/> that the node's
/// <see cref="IMeterFactory"/> creates, so two nodes in one process count apart. Values are sums over the
/// node's journals; the host exports them (e.g. to Prometheus).
/// </summary>
public sealed class WalMetrics
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

    private long _segments;

    /// <summary>Creates the instruments on a meter of <paramref name="meters"/>, or on a meter of their own without one.</summary>
    public WalMetrics(IMeterFactory? meters = null)
    {
        Meter = meters?.Create(MeterName, "1.0") ?? new Meter(MeterName, "1.0");
        WrittenBytes = Meter.CreateCounter<long>(WrittenBytesName, "By", "Bytes appended to WAL segment files.");
        RecordsWritten = Meter.CreateCounter<long>(RecordsWrittenName, "{record}", "Records appended to the WAL.");
        FsyncSeconds = Meter.CreateHistogram<double>(FsyncSecondsName, "s", "Duration of WAL fsyncs.");
        Fsyncs = Meter.CreateCounter<long>(FsyncsName, "{fsync}", "WAL fsyncs.");
        CorruptRecords = Meter.CreateCounter<long>(CorruptRecordsName, "{record}", "Corrupt WAL records or regions found.");
        WriteErrors = Meter.CreateCounter<long>(WriteErrorsName, "{error}", "WAL writes or fsyncs that failed.");
        Meter.CreateObservableGauge(SegmentsName, () => Volatile.Read(ref _segments), "{segment}", "WAL segment files currently open.");
    }

    /// <summary>The meter all of this node's WAL instruments belong to.</summary>
    public Meter Meter { get; }

    internal Counter<long> WrittenBytes { get; }

    internal Counter<long> RecordsWritten { get; }

    internal Histogram<double> FsyncSeconds { get; }

    internal Counter<long> Fsyncs { get; }

    internal Counter<long> CorruptRecords { get; }

    internal Counter<long> WriteErrors { get; }

    internal void AddSegments(long delta) => Interlocked.Add(ref _segments, delta);
}
