using Akka.Actor;
using Akka.DependencyInjection;
using Akka.Dispatch;
using Akka.Event;
using Microsoft.Extensions.Logging;
using AkkaLogLevel = Akka.Event.LogLevel;

namespace AegisKV.Server.Hosting;

/// <summary>
/// Akka.NET's logger for the node: hands each log event to Microsoft.Extensions.Logging under the
/// category of the class that logged it, so AegisKV's own actors (the WAL, shards, cluster events)
/// log at info while Akka's internals can be held to warnings by category, and every line has one format.
/// </summary>
internal sealed class AkkaLogBridge : ActorBase, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    private readonly ILoggerFactory _factory;
    private readonly Dictionary<Type, ILogger> _loggers = [];

    public AkkaLogBridge() =>
        _factory = DependencyResolver.For(Context.System).Resolver.GetService<ILoggerFactory>();

    protected override bool Receive(object message)
    {
        switch (message)
        {
            case InitializeLogger:
                Sender.Tell(new LoggerInitialized());
                return true;
            case LogEvent log:
                Write(log);
                return true;
            default:
                return false;
        }
    }

    private void Write(LogEvent log)
    {
        var type = log.LogClass ?? typeof(ActorSystem);
        if (!_loggers.TryGetValue(type, out var logger))
            _loggers[type] = logger = _factory.CreateLogger(type.FullName ?? type.Name);
        var level = log.LogLevel() switch
        {
            AkkaLogLevel.DebugLevel => Microsoft.Extensions.Logging.LogLevel.Debug,
            AkkaLogLevel.InfoLevel => Microsoft.Extensions.Logging.LogLevel.Information,
            AkkaLogLevel.WarningLevel => Microsoft.Extensions.Logging.LogLevel.Warning,
            _ => Microsoft.Extensions.Logging.LogLevel.Error,
        };
        if (!logger.IsEnabled(level)) return;
        var text = log.Message is LogMessage formatted ? formatted.ToString() : log.Message?.ToString();
        logger.Log(level, log.Cause, "{Message}", text);
    }
}
