namespace AegisKV.Checkers;

/// <summary>What a client learned of a write.</summary>
public enum WriteOutcome
{
    /// <summary>The server acknowledged it: it must survive.</summary>
    Acknowledged,

    /// <summary>No answer (timeout, dropped connection, <c>-TRYAGAIN</c>): it may or may not have taken effect.</summary>
    Unknown,

    /// <summary>The server refused it before running it (e.g. <c>-CLUSTERDOWN</c>): it must not have taken effect.</summary>
    Refused,
}

/// <summary>One write of a key that only one client writes, in that client's order.</summary>
/// <param name="Key">The key.</param>
/// <param name="Sequence">Its place among the writes of the key (higher: later).</param>
/// <param name="Value">The value written; unique among the key's writes.</param>
/// <param name="Outcome">What the client learned of it.</param>
public sealed record KeyWrite(string Key, long Sequence, string Value, WriteOutcome Outcome);

/// <summary>A write the final state contradicts, and why.</summary>
/// <param name="Write">The write.</param>
/// <param name="Found">The value the key was found with (null: missing).</param>
/// <param name="Reason">Why it is a violation.</param>
public sealed record DurabilityViolation(KeyWrite Write, string? Found, string Reason);

/// <summary>The outcome of a durability check.</summary>
/// <param name="Acknowledged">Acknowledged writes in the history.</param>
/// <param name="Found">Acknowledged writes whose value, or a later write's, the final state holds.</param>
/// <param name="Violations">Acknowledged writes lost, refused writes that took effect, values never written.</param>
public sealed record DurabilityResult(int Acknowledged, int Found, IReadOnlyList<DurabilityViolation> Violations)
{
    /// <summary>True when nothing acknowledged was lost and nothing refused or unknown to anyone appeared.</summary>
    public bool Holds => Violations.Count == 0;

    /// <inheritdoc />
    public override string ToString() =>
        $"{Acknowledged} writes acknowledged, {Found} found, {Acknowledged - Found} lost"
        + (Violations.Count == 0 ? "" : ":\n" + string.Join("\n", Violations.Take(20).Select(v => $"  {v.Write} found {v.Found ?? "missing"}: {v.Reason}")));
}

/// <summary>
/// Checks that every acknowledged write survives, for keys each written by a single client in sequence with
/// unique values: the key's final value must be that of its last acknowledged write or of a later write whose
/// outcome is unknown. Reads of the final state are made after the cluster has settled and the writers stopped.
/// </summary>
public static class DurabilityChecker
{
    /// <summary>Checks <paramref name="writes"/> against <paramref name="finalValues"/> (a key missing from it reads as missing).</summary>
    public static DurabilityResult Check(IEnumerable<KeyWrite> writes, IReadOnlyDictionary<string, string?> finalValues)
    {
        var violations = new List<DurabilityViolation>();
        int acknowledged = 0, found = 0;
        foreach (var key in writes.GroupBy(w => w.Key, StringComparer.Ordinal))
        {
            var ordered = key.OrderBy(w => w.Sequence).ToList();
            var final = finalValues.GetValueOrDefault(key.Key);
            var index = final is null ? -1 : ordered.FindIndex(w => w.Value == final);
            if (final is not null && index < 0)
                violations.Add(new DurabilityViolation(ordered[^1], final, "the key holds a value no write of it wrote"));
            else if (index >= 0 && ordered[index].Outcome == WriteOutcome.Refused)
                violations.Add(new DurabilityViolation(ordered[index], final, "a write refused took effect"));

            for (var i = 0; i < ordered.Count; i++)
            {
                if (ordered[i].Outcome != WriteOutcome.Acknowledged) continue;
                acknowledged++;
                // Found: the final value is this write's or a later one's (which overwrote it legitimately).
                if (index >= i) found++;
                else if (final is null || index >= 0) violations.Add(new DurabilityViolation(ordered[i], final, "acknowledged, then lost"));
            }
        }

        return new DurabilityResult(acknowledged, found, violations);
    }
}
