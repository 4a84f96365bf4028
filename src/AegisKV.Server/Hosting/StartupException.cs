namespace AegisKV.Server.Hosting;

/// <summary>The node cannot start for a reason outside its configuration (a port taken, a data directory it cannot use); the message is the one line to print.</summary>
public sealed class StartupException(string message, Exception? inner = null) : Exception(message, inner);
