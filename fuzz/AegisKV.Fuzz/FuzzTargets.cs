using AegisKV.Fuzz.Targets;

namespace AegisKV.Fuzz;

/// <summary>Every fuzz target, by name.</summary>
public static class FuzzTargets
{
    /// <summary>The targets in the order the fuzz task runs them.</summary>
    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new RespRequestTarget(),
        new InlineCommandTarget(),
        new WalSegmentTarget(),
        new SnapshotFileTarget(),
        new NodeMessageTarget(),
    ];

    /// <summary>The target named <paramref name="name"/>, or null.</summary>
    public static FuzzTarget? Find(string name)
    {
        foreach (var target in All)
        {
            if (target.Name == name) return target;
        }

        return null;
    }
}
