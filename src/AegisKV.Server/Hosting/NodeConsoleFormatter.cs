using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace AegisKV.Server.Hosting;

/// <summary>Options of <see cref="NodeConsoleFormatter"/>.</summary>
public sealed class NodeConsoleFormatterOptions : ConsoleFormatterOptions
{
    /// <summary>The node id written on every line.</summary>
    public string NodeId { get; set; } = "";

    /// <summary>One JSON object per line instead of text.</summary>
    public bool Json { get; set; }
}

/// <summary>One line per event: UTC time, level, node id, category, message, so logs of many nodes can be merged.</summary>
public sealed class NodeConsoleFormatter : ConsoleFormatter
{
    /// <summary>The formatter's name for <c>ConsoleLoggerOptions.FormatterName</c>.</summary>
    public const string FormatterName = "aegis";

    private readonly IOptionsMonitor<NodeConsoleFormatterOptions> _options;

    /// <summary>Creates the formatter.</summary>
    public NodeConsoleFormatter(IOptionsMonitor<NodeConsoleFormatterOptions> options) : base(FormatterName) => _options = options;

    /// <inheritdoc />
    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter?.Invoke(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null) return;
        var level = logEntry.LogLevel switch
        {
            LogLevel.Trace => "trace",
            LogLevel.Debug => "debug",
            LogLevel.Information => "info",
            LogLevel.Warning => "warn",
            LogLevel.Error => "error",
            _ => "fatal",
        };
        var time = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);
        message = WithoutAkkaPrefix(message);
        if (_options.CurrentValue.Json)
        {
            WriteJson(textWriter, time, level, logEntry.Category, message, logEntry.Exception);
            return;
        }

        textWriter.Write(time);
        textWriter.Write(' ');
        textWriter.Write(level);
        textWriter.Write(" node=");
        textWriter.Write(_options.CurrentValue.NodeId);
        textWriter.Write(' ');
        textWriter.Write(logEntry.Category);
        textWriter.Write(": ");
        textWriter.Write(message?.ReplaceLineEndings(" "));
        if (logEntry.Exception is not null)
        {
            textWriter.Write(' ');
            textWriter.Write(logEntry.Exception.ToString().ReplaceLineEndings(" | "));
        }

        textWriter.WriteLine();
    }

    private void WriteJson(TextWriter textWriter, string time, string level, string category, string? message, Exception? exception)
    {
        using var buffer = new MemoryStream();
        using (var json = new System.Text.Json.Utf8JsonWriter(buffer, new System.Text.Json.JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("time", time);
            json.WriteString("level", level);
            json.WriteString("node", _options.CurrentValue.NodeId);
            json.WriteString("category", category);
            json.WriteString("message", message);
            if (exception is not null) json.WriteString("exception", exception.ToString());
            json.WriteEndObject();
        }

        textWriter.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }

    // Akka formats "[LEVEL][time][Thread n][source] text"; time and level are already on the line.
    private static string? WithoutAkkaPrefix(string? message)
    {
        if (message is null || !message.StartsWith('[')) return message;
        var cut = 0;
        for (var group = 0; group < 3; group++)
        {
            if (cut >= message.Length || message[cut] != '[') return message;
            var close = message.IndexOf(']', cut);
            if (close < 0) return message;
            cut = close + 1;
        }

        return message[cut..];
    }
}
