using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace AegisKV.Server.Configuration;

/// <summary>
/// Catches the HOCON mistakes that would otherwise be ignored silently: a key under
/// <c>aegis { }</c> that no setting reads (with the nearest known key as a suggestion), and a
/// known setting written outside <c>aegis { }</c>. Sections other than <c>aegis</c> and
/// <c>akka</c> are refused too; <c>akka</c> is passed to the actor system as it is.
/// </summary>
internal static class ConfigKeyCheck
{
    /// <summary>Throws <see cref="SettingsException"/> for the first key of <paramref name="file"/> that would be ignored.</summary>
    public static void Check(Config file, string fileName, IReadOnlyCollection<string> knownPaths)
    {
        var known = new HashSet<string>(knownPaths, StringComparer.Ordinal);
        foreach (var path in LeafPaths(file.Root, ""))
        {
            if (path.StartsWith("akka.", StringComparison.Ordinal) || known.Contains(path)) continue;
            if (path.StartsWith("aegis.", StringComparison.Ordinal))
            {
                if (known.FirstOrDefault(k => path.StartsWith(k + ".", StringComparison.Ordinal)) is { } value)
                    throw new SettingsException("config", $"'{fileName}': '{value}' takes a value, not a section");
                var suggestion = Nearest(path, known);
                var hint = suggestion is null ? "" : $" (did you mean '{suggestion}'?)";
                if (known.Any(k => k.StartsWith(path + ".", StringComparison.Ordinal)))
                    throw new SettingsException("config", $"'{fileName}': '{path}' is a section of settings ({path}.*), not a value{hint}");
                throw new SettingsException("config", $"'{fileName}': unknown key '{path}'{hint}");
            }

            if (known.Contains("aegis." + path))
                throw new SettingsException("config", $"'{fileName}': '{path}' is outside aegis {{ }}; write it as aegis.{path}");
            throw new SettingsException("config", $"'{fileName}': unknown key '{path}' (AegisKV settings go under aegis {{ }}, actor system settings under akka {{ }})");
        }
    }

    /// <summary>
    /// Throws <see cref="SettingsException"/> when a brace or bracket of <paramref name="text"/> is not
    /// closed (or closes nothing): the HOCON parser closes them at the end of the file by itself,
    /// which would move every key after the mistake silently.
    /// </summary>
    public static void CheckBalanced(string text, string fileName)
    {
        var open = new Stack<(char Bracket, int Line)>();
        var line = 1;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\n') line++;
            else if (c == '#' || (c == '/' && i + 1 < text.Length && text[i + 1] == '/')) i = SkipTo(text, i, "\n") - 1;
            else if (c == '"')
            {
                var triple = string.CompareOrdinal(text, i, "\"\"\"", 0, 3) == 0;
                var end = triple ? SkipTo(text, i + 3, "\"\"\"") + 2 : SkipString(text, i + 1);
                for (var j = i; j < end && j < text.Length; j++)
                    if (text[j] == '\n') line++;
                i = end;
            }
            else if (c is '{' or '[') open.Push((c, line));
            else if (c is '}' or ']')
            {
                if (open.Count == 0 || open.Pop().Bracket != (c == '}' ? '{' : '['))
                    throw new SettingsException("config", $"'{fileName}' line {line}: '{c}' closes nothing");
            }
        }

        if (open.Count > 0)
        {
            var (bracket, at) = open.Peek();
            throw new SettingsException("config", $"'{fileName}' line {at}: '{bracket}' is never closed");
        }
    }

    private static int SkipTo(string text, int from, string end)
    {
        var at = text.IndexOf(end, from, StringComparison.Ordinal);
        return at < 0 ? text.Length : at;
    }

    // Index of the quote that ends a "..." string starting at `from`, past escaped characters.
    private static int SkipString(string text, int from)
    {
        for (var i = from; i < text.Length; i++)
        {
            if (text[i] == '\\') i++;
            else if (text[i] == '"' || text[i] == '\n') return i;
        }

        return text.Length;
    }

    /// <summary>Every leaf path of <paramref name="config"/> below <c>aegis</c>.</summary>
    public static IEnumerable<string> KnownPaths(Config config) =>
        LeafPaths(config.Root, "").Where(path => path.StartsWith("aegis.", StringComparison.Ordinal));

    private static IEnumerable<string> LeafPaths(HoconValue value, string prefix)
    {
        if (!value.IsObject())
        {
            yield return prefix;
            yield break;
        }

        foreach (var (key, child) in value.GetObject().Items)
        {
            var path = prefix.Length == 0 ? key : prefix + "." + key;
            foreach (var leaf in LeafPaths(child, path)) yield return leaf;
        }
    }

    // The known key closest in spelling, if it is close enough to be what was meant.
    private static string? Nearest(string path, IEnumerable<string> known)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in known)
        {
            var distance = Distance(path, candidate);
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return bestDistance <= Math.Max(2, path.Length / 4) ? best : null;
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
