namespace AegisKV.Storage;

/// <summary>What <see cref="WalLog"/>'s start-up scan finds wrong with a WAL directory.</summary>
/// <param name="Directory">The segment directory.</param>
/// <param name="Damage">Bytes that do not verify, in log order.</param>
/// <param name="LostRecords">Ids that lost acknowledged records and are not served until repaired.</param>
/// <param name="CheckpointProblem">Why the checkpoint could not be read, if it could not.</param>
public sealed record WalAnalysis(string Directory, IReadOnlyList<WalDamage> Damage, IReadOnlyList<WalLostRecords> LostRecords, string? CheckpointProblem)
{
    /// <summary>True when there is nothing to repair.</summary>
    public bool IsClean => Damage.Count == 0 && LostRecords.Count == 0 && CheckpointProblem is null;
}

/// <summary>An id that lost records: repair keeps its records up to <paramref name="LastIntact"/> and drops the rest.</summary>
/// <param name="PersistenceId">The id (a shard: <c>shard-N</c>).</param>
/// <param name="LastIntact">The last sequence number before the loss.</param>
/// <param name="ReadableAfter">Records after the loss that are intact but are dropped with it (they would replay over a gap).</param>
/// <param name="Description">What was found, with file and offset.</param>
public sealed record WalLostRecords(string PersistenceId, long LastIntact, int ReadableAfter, string Description);
