using System.Collections;
using Akka.Configuration;

namespace AegisKV.Server.Configuration;

/// <summary>
/// Merges the node's configuration sources: flag, then environment, then the <c>--config</c>
/// HOCON file, then the built-in defaults.
/// </summary>
public static class NodeConfigLoader
{
    /// <summary>Builds the merged configuration and validates it into <see cref="NodeSettings"/>.</summary>
    /// <param name="flags">Flag values by flag name (without dashes), only those given.</param>
    /// <param name="configFile">Path of a HOCON file, or null.</param>
    /// <param name="environment">Environment variables; null reads the process environment.</param>
    public static NodeSettings Load(IReadOnlyDictionary<string, string> flags, string? configFile, IDictionary? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariables();
        var fromFlags = FromValues(flags);
        var fromEnvironment = FromValues(ReadEnvironment(environment));
        var fromFile = Config.Empty;
        if (configFile is not null)
        {
            if (!File.Exists(configFile)) throw new SettingsException("config", $"file not found: '{configFile}'");
            try
            {
                var text = File.ReadAllText(configFile);
                ConfigKeyCheck.CheckBalanced(text, configFile);
                fromFile = ConfigurationFactory.ParseString(text);
            }
            catch (Exception e) when (e is not SettingsException)
            {
                throw new SettingsException("config", $"'{configFile}' is not valid HOCON: {e.Message}");
            }

            ConfigKeyCheck.Check(fromFile, configFile, KnownPaths.Value);
        }

        var sources = new List<string>();
        if (flags.Count > 0) sources.Add("flags");
        if (!fromEnvironment.IsEmpty) sources.Add("environment");
        if (configFile is not null) sources.Add(configFile);
        sources.Add("defaults");
        return NodeSettings.Create(Layer(Layer(fromFlags, fromEnvironment), fromFile)) with { Sources = string.Join(" > ", sources) };
    }

    // Every setting the node, its shards and its WAL read, from their embedded defaults.
    private static readonly Lazy<string[]> KnownPaths = new(() =>
    [
        .. ConfigKeyCheck.KnownPaths(NodeSettings.DefaultConfig()),
        .. ConfigKeyCheck.KnownPaths(AegisKV.Core.ShardSettings.DefaultConfig()),
    ]);

    // HOCON refuses an empty config as its own fallback; an empty layer simply adds nothing.
    private static Config Layer(Config top, Config fallback) =>
        top.IsEmpty ? fallback : fallback.IsEmpty ? top : top.WithFallback(fallback);

    private static Dictionary<string, string> ReadEnvironment(IDictionary environment)
    {
        var values = new Dictionary<string, string>();
        foreach (var flag in NodeFlag.All)
            if (environment[flag.EnvironmentVariable] is string value)
                values[flag.Name] = value;
        return values;
    }

    private static Config FromValues(IReadOnlyDictionary<string, string> values)
    {
        if (values.Count == 0) return Config.Empty;
        var hocon = new System.Text.StringBuilder();
        foreach (var (name, value) in values)
        {
            // Quote every value so HOCON takes it verbatim (a token may hold ':' or '#').
            hocon.Append("aegis.").Append(name).Append(" = \"")
                .Append(value.Replace("\\", "\\\\").Replace("\"", "\\\"")).Append("\"\n");
        }

        return ConfigurationFactory.ParseString(hocon.ToString());
    }
}
