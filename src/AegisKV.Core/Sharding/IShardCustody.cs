using Akka.Actor;

namespace AegisKV.Core.Sharding;

/// <summary>
/// The cluster's record of which node holds the newest copy of each shard. A shard actor asks it before it
/// serves (<see cref="ClaimAsync"/>) and tells it where its data went when it hands off (<see cref="TransferAsync"/>),
/// so that a stale or empty copy is never served.
/// </summary>
public interface IShardCustody
{
    /// <summary>This node's id.</summary>
    string NodeId { get; }

    /// <summary>
    /// Asks to serve <paramref name="shardId"/> from this node's copy. Granted (with a new epoch, unique across the
    /// cluster) when this node holds the newest copy or the shard never existed; otherwise says who holds it.
    /// </summary>
    Task<CustodyClaim> ClaimAsync(int shardId);

    /// <summary>Records that <paramref name="nodeId"/> now holds the newest copy; completes once a majority has it, fails otherwise.</summary>
    Task TransferAsync(int shardId, string nodeId);

    /// <summary>Where the shard's data goes if this node gives it up now; null when no other node can take it.</summary>
    HandoffTarget? HandoffTargetFor(int shardId);
}

/// <summary>What <see cref="IShardCustody.ClaimAsync"/> decided.</summary>
public enum CustodyOutcome
{
    /// <summary>This node holds the newest copy (or the shard is new): serve it.</summary>
    Serve,

    /// <summary>Another node that is up holds the newest copy: the shard moves there.</summary>
    HeldElsewhere,

    /// <summary>The only copy is on a node that is down or unreachable.</summary>
    HolderUnavailable,

    /// <summary>A majority of the cluster's last known members could not be reached: nothing can be decided.</summary>
    NoQuorum,
}

/// <summary>The answer to a claim.</summary>
/// <param name="Outcome">What was decided.</param>
/// <param name="Epoch">With <see cref="CustodyOutcome.Serve"/>, the new incarnation's epoch.</param>
/// <param name="Holder">The node holding the newest copy, when known.</param>
/// <param name="Reason">One line for errors and logs when the shard cannot serve here.</param>
public sealed record CustodyClaim(CustodyOutcome Outcome, long Epoch, string? Holder, string Reason);

/// <summary>The node a shard's data is shipped to on hand-off, and its receiving actor.</summary>
public sealed record HandoffTarget(string NodeId, ActorPath Receiver);
