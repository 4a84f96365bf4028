namespace AegisKV.Core.Commands;

/// <summary>What a command does, as Redis's command table states it.</summary>
[Flags]
public enum CommandFlags
{
    /// <summary>No flags.</summary>
    None = 0,
    /// <summary>Changes data.</summary>
    Write = 1,
    /// <summary>Only reads data.</summary>
    ReadOnly = 2,
    /// <summary>Refused when the node is over <c>--max-memory</c>.</summary>
    DenyOom = 4,
    /// <summary>Constant or logarithmic time.</summary>
    Fast = 8,
    /// <summary>Allowed before AUTH.</summary>
    NoAuth = 16,
    /// <summary>May wait for data (BLPOP and kin); inside MULTI it answers at once.</summary>
    Blocking = 32,
    /// <summary>Publishes or subscribes (allowed in RESP2 subscribe mode when a subscription command).</summary>
    PubSub = 64,
}
