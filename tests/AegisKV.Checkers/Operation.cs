namespace AegisKV.Checkers;

/// <summary>What an operation on a register does.</summary>
public enum OperationKind
{
    /// <summary>GET: its result is the value, or null for a missing key.</summary>
    Get,

    /// <summary>SET to <see cref="Operation.Value"/>.</summary>
    Set,

    /// <summary>DEL: its result is "1" when the key existed, "0" when not.</summary>
    Delete,

    /// <summary>INCR: its result is the new number, or <see cref="Operation.Error"/> when the value is not an integer.</summary>
    Increment,

    /// <summary>SET to <see cref="Operation.Value"/> IFEQ <see cref="Operation.Expected"/>: "OK" when it swapped, null when not.</summary>
    CompareAndSet,
}

/// <summary>
/// One operation on one key as a client saw it: when it was invoked, and when and with what it completed. An
/// operation whose outcome the client does not know (a timeout, a dropped connection, <c>-TRYAGAIN</c>) has no
/// completion: it may or may not have taken effect, at any time after its invocation. An operation the server
/// refused before running it (e.g. <c>-CLUSTERDOWN</c>) is left out of the history.
/// </summary>
/// <param name="Client">Who invoked it; one client has at most one operation in flight.</param>
/// <param name="Key">The key.</param>
/// <param name="Kind">What it does.</param>
/// <param name="Value">The value a <see cref="OperationKind.Set"/> or <see cref="OperationKind.CompareAndSet"/> writes.</param>
/// <param name="Expected">The value a <see cref="OperationKind.CompareAndSet"/> compares with.</param>
/// <param name="Invoked">When it was sent (any monotonic clock shared by every client).</param>
/// <param name="Completed">When its reply arrived; null when its outcome is unknown.</param>
/// <param name="Result">Its reply, as each <see cref="OperationKind"/> describes.</param>
public sealed record Operation(int Client, string Key, OperationKind Kind, string? Value, string? Expected, long Invoked, long? Completed, string? Result)
{
    /// <summary>The result of an <see cref="OperationKind.Increment"/> of a value that is not an integer.</summary>
    public const string Error = "ERR";

    /// <summary>The result of a write that succeeded.</summary>
    public const string Ok = "OK";

    /// <summary>True when the client does not know whether it took effect.</summary>
    public bool IsIndeterminate => Completed is null;

    /// <summary>A GET that returned <paramref name="result"/> (null: nil).</summary>
    public static Operation Get(int client, string key, long invoked, long? completed, string? result) =>
        new(client, key, OperationKind.Get, null, null, invoked, completed, result);

    /// <summary>A SET of <paramref name="value"/>.</summary>
    public static Operation Set(int client, string key, string value, long invoked, long? completed) =>
        new(client, key, OperationKind.Set, value, null, invoked, completed, completed is null ? null : Ok);

    /// <summary>A DEL that returned whether the key existed.</summary>
    public static Operation Delete(int client, string key, long invoked, long? completed, bool? existed) =>
        new(client, key, OperationKind.Delete, null, null, invoked, completed, existed is null ? null : existed.Value ? "1" : "0");

    /// <summary>An INCR that returned <paramref name="result"/> (a number, or <see cref="Error"/>).</summary>
    public static Operation Increment(int client, string key, long invoked, long? completed, string? result) =>
        new(client, key, OperationKind.Increment, null, null, invoked, completed, result);

    /// <summary>A compare-and-set that returned whether it swapped.</summary>
    public static Operation CompareAndSet(int client, string key, string expected, string value, long invoked, long? completed, bool? swapped) =>
        new(client, key, OperationKind.CompareAndSet, value, expected, invoked, completed, swapped is null ? null : swapped.Value ? Ok : null);

    /// <summary>
    /// Applies the operation to a register holding <paramref name="state"/> (null: no key): false when the
    /// result it reported could not come from that state; otherwise <paramref name="next"/> is the state after it.
    /// </summary>
    public bool Apply(string? state, out string? next)
    {
        var known = Completed is not null;
        switch (Kind)
        {
            case OperationKind.Get:
                next = state;
                return !known || Result == state;
            case OperationKind.Set:
                next = Value;
                return true;
            case OperationKind.Delete:
                next = null;
                return !known || Result == (state is null ? "0" : "1");
            case OperationKind.Increment:
                long number = 0;
                if (state is not null && !long.TryParse(state, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out number))
                {
                    next = state;
                    return !known || Result == Error;
                }

                next = (number + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
                return !known || Result == next;
            case OperationKind.CompareAndSet:
                var swaps = state is not null && state == Expected;
                next = swaps ? Value : state;
                return !known || (Result == Ok) == swaps;
            default:
                throw new InvalidOperationException($"unknown operation kind {Kind}");
        }
    }

    /// <inheritdoc />
    public override string ToString()
    {
        var what = Kind switch
        {
            OperationKind.Set => $"SET {Key} {Value}",
            OperationKind.CompareAndSet => $"SET {Key} {Value} IFEQ {Expected}",
            OperationKind.Delete => $"DEL {Key}",
            OperationKind.Increment => $"INCR {Key}",
            _ => $"GET {Key}",
        };
        var outcome = Completed is null ? "unknown" : Result ?? "nil";
        return $"client {Client} {what} -> {outcome} [{Invoked}, {(Completed is { } c ? c.ToString(System.Globalization.CultureInfo.InvariantCulture) : "∞")}]";
    }
}
