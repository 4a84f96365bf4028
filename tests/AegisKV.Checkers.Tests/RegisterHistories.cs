namespace AegisKV.Checkers.Tests;

/// <summary>
/// Random histories of one register that really is linearizable: each operation takes effect at an instant
/// inside its interval, and its result is computed by applying the operations in the order of those instants.
/// </summary>
internal static class RegisterHistories
{
    public static List<Operation> Generate(Random random, int clients, int operations, double unknownShare)
    {
        var planned = new List<(Operation Operation, long Effect)>();
        var clock = new long[clients];
        var values = 0;
        for (var i = 0; i < operations; i++)
        {
            var client = random.Next(clients);
            var invoked = clock[client] + random.Next(1, 20);
            var completed = invoked + random.Next(1, 40);
            clock[client] = completed;
            var effect = invoked + random.Next(0, (int)(completed - invoked) + 1);
            var kind = (OperationKind)random.Next(5);
            var value = "v" + ++values;
            var expected = "v" + random.Next(1, values + 1);
            planned.Add((new Operation(client, "k", kind, value, expected, invoked, completed, null), effect));
        }

        // Apply in effect order to learn each result; then forget some outcomes (as a client whose request timed out).
        string? state = null;
        var results = new Dictionary<Operation, string?>(ReferenceEqualityComparer.Instance);
        foreach (var (operation, _) in planned.OrderBy(p => p.Effect).ThenBy(p => p.Operation.Invoked))
        {
            var result = Result(operation, state, out var next);
            results[operation] = result;
            state = next;
        }

        return [.. planned.Select(p => random.NextDouble() < unknownShare
            ? p.Operation with { Completed = null, Result = null }
            : p.Operation with { Result = results[p.Operation] })];
    }

    // Written apart from Operation.Apply on purpose: the oracle that makes the histories must not share the checker's mistakes.
    private static string? Result(Operation operation, string? state, out string? next)
    {
        switch (operation.Kind)
        {
            case OperationKind.Get:
                next = state;
                return state;
            case OperationKind.Set:
                next = operation.Value;
                return Operation.Ok;
            case OperationKind.Delete:
                next = null;
                return state is null ? "0" : "1";
            case OperationKind.Increment:
                long number = 0;
                if (state is not null && !long.TryParse(state, out number))
                {
                    next = state;
                    return Operation.Error;
                }

                next = (number + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
                return next;
            default:
                var swaps = state is not null && state == operation.Expected;
                next = swaps ? operation.Value : state;
                return swaps ? Operation.Ok : null;
        }
    }
}
