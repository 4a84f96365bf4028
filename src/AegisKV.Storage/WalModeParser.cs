using Akka.Configuration;

namespace AegisKV.Storage;

/// <summary>Shared parsing of the <c>mode</c> key for both plugins.</summary>
internal static class WalModeParser
{
    public const string Key = "mode";

    public static WalMode Parse(Config config)
    {
        // HOCON treats unquoted `off` like a boolean elsewhere; read it as the raw string.
        var value = config.GetString(Key, "fsync")?.Trim() ?? "fsync";
        if (value.Equals("off", StringComparison.OrdinalIgnoreCase) || value.Equals("false", StringComparison.OrdinalIgnoreCase))
            return WalMode.Off;
        if (value.Equals("write", StringComparison.OrdinalIgnoreCase))
            return WalMode.Write;
        if (value.Equals("fsync", StringComparison.OrdinalIgnoreCase))
            return WalMode.Fsync;
        throw new ArgumentException($"Invalid value '{value}' for configuration key '{Key}': expected off, write or fsync.", Key);
    }
}
