namespace AegisKV.Checkers;

/// <summary>The verdict on one key's history.</summary>
public enum Verdict
{
    /// <summary>Some order of the operations, consistent with real time, explains every result.</summary>
    Linearizable,

    /// <summary>No such order exists.</summary>
    NotLinearizable,

    /// <summary>The search hit its step limit before deciding: neither a pass nor a proof of a violation.</summary>
    Unknown,
}

/// <summary>The verdict on one key's history, and for a violation, where the search got stuck.</summary>
/// <param name="Key">The key.</param>
/// <param name="Verdict">The verdict.</param>
/// <param name="Operations">How many operations its history holds.</param>
/// <param name="Steps">Search steps taken.</param>
/// <param name="Explanation">For a violation: the longest order found that explains a prefix, and the operations none of which could come next.</param>
public sealed record KeyVerdict(string Key, Verdict Verdict, int Operations, long Steps, string? Explanation);

/// <summary>
/// Checks histories of single-key register operations for linearizability, one key at a time (linearizability is
/// local: a history is linearizable when each key's is). The search is Wing and Gong's, with Lowe's memoization
/// as Porcupine does it: operations are linearized one at a time among those invoked before the earliest pending
/// completion, and a (set of operations linearized, register state) pair already explored is not explored again.
/// An operation with an unknown outcome completes at infinity, so the search may place it anywhere after its
/// invocation, including after everything else (it never took effect as far as anyone saw).
/// </summary>
public static class LinearizabilityChecker
{
    /// <summary>Checks every key of <paramref name="history"/>, each within <paramref name="maxStepsPerKey"/> steps.</summary>
    public static IReadOnlyList<KeyVerdict> Check(IEnumerable<Operation> history, long maxStepsPerKey = 10_000_000)
    {
        var verdicts = new List<KeyVerdict>();
        foreach (var key in history.GroupBy(o => o.Key, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
            verdicts.Add(CheckKey(key.Key, [.. key], maxStepsPerKey));
        return verdicts;
    }

    /// <summary>Checks one key's operations (all on <paramref name="key"/>), starting from a missing key.</summary>
    public static KeyVerdict CheckKey(string key, IReadOnlyList<Operation> operations, long maxSteps = 10_000_000)
    {
        var list = EventList.Build(operations);
        var linearized = new ulong[(operations.Count + 63) / 64];
        var seen = new HashSet<Explored>();
        var stack = new Stack<(EventList.Node Call, string? State)>();
        var deepest = Array.Empty<int>();
        var stuckAt = (string?)null;
        string? state = null;
        long steps = 0;
        var node = list.First;
        while (node is not null)
        {
            if (++steps > maxSteps) return new KeyVerdict(key, Verdict.Unknown, operations.Count, steps, null);
            if (node.IsCall)
            {
                var operation = operations[node.Operation];
                if (operation.Apply(state, out var next))
                {
                    Set(linearized, node.Operation, true);
                    if (seen.Add(new Explored(Copy(linearized), next)))
                    {
                        stack.Push((node, state));
                        state = next;
                        list.Lift(node);
                        node = list.First;
                        continue;
                    }

                    Set(linearized, node.Operation, false);
                }

                node = node.Next;
                continue;
            }

            // A completion: every operation that could come before it has been tried. Back up one step.
            if (stack.Count > deepest.Length)
            {
                deepest = [.. stack.Select(s => s.Call.Operation).Reverse()];
                stuckAt = state;
            }

            if (stack.Count == 0)
                return new KeyVerdict(key, Verdict.NotLinearizable, operations.Count, steps, Explain(operations, deepest, stuckAt));
            var (call, before) = stack.Pop();
            state = before;
            Set(linearized, call.Operation, false);
            list.Unlift(call);
            node = call.Next;
        }

        return new KeyVerdict(key, Verdict.Linearizable, operations.Count, steps, null);
    }

    private static string Explain(IReadOnlyList<Operation> operations, int[] order, string? state)
    {
        var done = new HashSet<int>(order);
        // The operations that could have come next: invoked before the earliest completion among those left.
        var pending = Enumerable.Range(0, operations.Count).Where(i => !done.Contains(i)).ToList();
        var horizon = pending.Count == 0 ? long.MaxValue : pending.Min(i => operations[i].Completed ?? long.MaxValue);
        var candidates = pending.Where(i => operations[i].Invoked <= horizon).Select(i => "  " + operations[i]);
        return $"{order.Length} of {operations.Count} operations linearized in this order:\n"
               + string.Join("\n", order.Select(i => "  " + operations[i]))
               + $"\nleaving the value {(state is null ? "missing" : $"\"{state}\"")}, with which none of these can come next:\n"
               + string.Join("\n", candidates);
    }

    private static void Set(ulong[] bits, int index, bool value)
    {
        if (value) bits[index >> 6] |= 1UL << (index & 63);
        else bits[index >> 6] &= ~(1UL << (index & 63));
    }

    private static ulong[] Copy(ulong[] bits) => (ulong[])bits.Clone();

    // A point of the search already explored: which operations were linearized, and the register's value then.
    private readonly struct Explored(ulong[] linearized, string? state) : IEquatable<Explored>
    {
        private readonly ulong[] _linearized = linearized;
        private readonly string? _state = state;

        public bool Equals(Explored other) => _state == other._state && _linearized.AsSpan().SequenceEqual(other._linearized);

        public override bool Equals(object? obj) => obj is Explored other && Equals(other);

        public override int GetHashCode()
        {
            var hash = new HashCode();
            foreach (var word in _linearized) hash.Add(word);
            hash.Add(_state, StringComparer.Ordinal);
            return hash.ToHashCode();
        }
    }
}
