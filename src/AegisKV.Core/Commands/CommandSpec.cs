namespace AegisKV.Core.Commands;

/// <summary>
/// One row of the command table: arity follows Redis (positive means exactly that many
/// arguments including the name, negative means at least that many).
/// </summary>
/// <param name="Name">Upper-case command name.</param>
/// <param name="Id">Stable identifier.</param>
/// <param name="Arity">Redis arity.</param>
/// <param name="Flags">What the command does.</param>
/// <param name="Routing">Where it runs.</param>
/// <param name="FirstKey">Index of the first key argument, 0 if none.</param>
/// <param name="LastKey">Index of the last key argument, -1 for the last argument, 0 if none.</param>
/// <param name="KeyStep">Distance between key arguments.</param>
/// <param name="NumKeysAt">Index of the argument that says how many keys follow it (LMPOP, EVAL); 0 when the key positions are fixed.</param>
public sealed record CommandSpec(
    string Name,
    CommandId Id,
    int Arity,
    CommandFlags Flags,
    CommandRouting Routing,
    int FirstKey,
    int LastKey,
    int KeyStep,
    int NumKeysAt = 0)
{
    /// <summary>Lower-case name as COMMAND INFO reports it.</summary>
    public byte[] LowerName { get; } = System.Text.Encoding.ASCII.GetBytes(Name.ToLowerInvariant());

    /// <summary>Lower-case name as text, as CLIENT LIST and INFO commandstats show it.</summary>
    public string LowerNameText { get; } = Name.ToLowerInvariant();

    /// <summary>True when <paramref name="argumentCount"/> (name included) satisfies the arity.</summary>
    public bool AcceptsArgumentCount(int argumentCount) =>
        Arity >= 0 ? argumentCount == Arity : argumentCount >= -Arity;
}
