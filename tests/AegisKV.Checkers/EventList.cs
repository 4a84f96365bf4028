namespace AegisKV.Checkers;

/// <summary>
/// The invocations and completions of a history in time order, as a doubly linked list from which the search
/// lifts an operation (its invocation and completion) when it linearizes it, and puts it back when it backs up.
/// </summary>
internal sealed class EventList
{
    private readonly Node _head = new(-1, isCall: false);

    public Node? First => _head.Next;

    /// <summary>Invocations and completions by time; at equal times invocations first, so such operations count as concurrent.</summary>
    public static EventList Build(IReadOnlyList<Operation> operations)
    {
        var events = new List<(long Time, bool IsCall, int Operation)>(operations.Count * 2);
        for (var i = 0; i < operations.Count; i++)
        {
            var completed = operations[i].Completed ?? long.MaxValue;
            if (completed < operations[i].Invoked)
                throw new ArgumentException($"operation completes before it is invoked: {operations[i]}", nameof(operations));
            events.Add((operations[i].Invoked, true, i));
            events.Add((completed, false, i));
        }

        events.Sort((a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : a.IsCall == b.IsCall ? a.Operation.CompareTo(b.Operation) : a.IsCall ? -1 : 1);
        var list = new EventList();
        var calls = new Node[operations.Count];
        var last = list._head;
        foreach (var (_, isCall, operation) in events)
        {
            var node = new Node(operation, isCall);
            if (isCall) calls[operation] = node;
            else calls[operation].Match = node;
            node.Previous = last;
            last.Next = node;
            last = node;
        }

        return list;
    }

    /// <summary>Takes an operation's invocation and completion out of the list.</summary>
    public void Lift(Node call)
    {
        Remove(call);
        Remove(call.Match!);
    }

    /// <summary>Puts back an operation lifted last: completion first, then invocation, each where it was.</summary>
    public void Unlift(Node call)
    {
        Restore(call.Match!);
        Restore(call);
    }

    private static void Remove(Node node)
    {
        node.Previous!.Next = node.Next;
        if (node.Next is not null) node.Next.Previous = node.Previous;
    }

    private static void Restore(Node node)
    {
        node.Previous!.Next = node;
        if (node.Next is not null) node.Next.Previous = node;
    }

    public sealed class Node(int operation, bool isCall)
    {
        public int Operation { get; } = operation;

        public bool IsCall { get; } = isCall;

        public Node? Match { get; set; }

        public Node? Previous { get; set; }

        public Node? Next { get; set; }
    }
}
