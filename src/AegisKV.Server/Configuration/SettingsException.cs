namespace AegisKV.Server.Configuration;

/// <summary>An invalid setting; the message names the flag, as the user typed it.</summary>
public sealed class SettingsException : Exception
{
    /// <summary>Creates the error for flag <paramref name="name"/> (without dashes).</summary>
    public SettingsException(string name, string problem) : base($"--{name}: {problem}") => Name = name;

    /// <summary>The flag without dashes.</summary>
    public string Name { get; }
}
