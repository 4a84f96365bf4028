using Akka.Actor.Setup;

namespace AegisKV.Storage;

/// <summary>
/// Hands the node's <see cref="WalMetrics"/> to the <see cref="WalJournal"/> that Akka.Persistence creates from
/// configuration; a journal of an actor system without it counts nowhere.
/// </summary>
/// <param name="metrics">The instruments the node's journal counts on.</param>
public sealed class WalMetricsSetup(WalMetrics metrics) : Setup
{
    /// <summary>The instruments the node's journal counts on.</summary>
    public WalMetrics Metrics { get; } = metrics;
}
