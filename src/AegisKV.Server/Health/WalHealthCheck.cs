using Akka.Actor;
using Akka.Persistence;
using AegisKV.Server.Configuration;
using AegisKV.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AegisKV.Server.Health;

/// <summary>
/// The WAL can take writes: the journal has not stopped after an I/O failure (unhealthy), is not
/// refusing writes for a full disk or I/O errors (degraded), and its directory accepts a new file
/// (probed at most every few seconds).
/// </summary>
internal sealed class WalHealthCheck
{
    private const string JournalPluginId = "akka.persistence.journal.aegis-wal";
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(5);

    private readonly NodeSettings _settings;
    private readonly Lock _gate = new();
    private HealthCheckResult _lastProbe = HealthCheckResult.Healthy();
    private DateTime _lastProbeAt = DateTime.MinValue;

    public WalHealthCheck(NodeSettings settings) => _settings = settings;

    public async Task<HealthCheckResult> CheckAsync(ActorSystem system, CancellationToken cancellationToken)
    {
        if (_settings.Wal == WalMode.Off) return HealthCheckResult.Healthy("wal off");
        var journal = await Persistence.Instance.Apply(system).CheckJournalHealthAsync(JournalPluginId, cancellationToken).ConfigureAwait(false);
        if (journal.Status == PersistenceHealthStatus.Unhealthy)
            return HealthCheckResult.Unhealthy("journal: " + journal.Description, journal.Exception);
        // Writes are refused but reads are served, and the WAL retries by itself.
        if (journal.Status == PersistenceHealthStatus.Degraded)
            return HealthCheckResult.Degraded("degraded: " + journal.Description);
        return ProbeDirectory();
    }

    private HealthCheckResult ProbeDirectory()
    {
        lock (_gate)
        {
            if (DateTime.UtcNow - _lastProbeAt < ProbeInterval) return _lastProbe;
            var wal = Path.Combine(_settings.DataDirectory, "wal");
            try
            {
                var probe = Path.Combine(Directory.Exists(wal) ? wal : _settings.DataDirectory, ".health-probe");
                File.WriteAllBytes(probe, [1]);
                File.Delete(probe);
                _lastProbe = HealthCheckResult.Healthy("data directory writable");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _lastProbe = HealthCheckResult.Degraded($"degraded: data directory not writable: {e.Message}");
            }

            _lastProbeAt = DateTime.UtcNow;
            return _lastProbe;
        }
    }
}
