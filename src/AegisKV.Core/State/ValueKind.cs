using AegisKV.Core.Commands;

namespace AegisKV.Core.State;

/// <summary>The type of value a command expects at its (first) key; another type answers WRONGTYPE.</summary>
internal enum ValueKind : byte
{
    /// <summary>Any type, or the command checks for itself.</summary>
    Any,
    /// <summary>A string.</summary>
    String,
    /// <summary>A hash.</summary>
    Hash,
    /// <summary>A list (the list commands check their keys themselves).</summary>
    List,
}
