namespace AegisKV.Storage;

/// <summary>
/// Implemented by persisted payloads that carry a replication epoch. The journal copies the epoch
/// into the record header so the log can be inspected (and later compared between replicas)
/// without deserializing payloads. Payloads that do not implement it are recorded with epoch 0.
/// </summary>
public interface IWalEpoch
{
    /// <summary>The epoch (term) in which the payload was produced.</summary>
    long Epoch { get; }
}
