namespace AegisKV.Server.Network;

/// <summary>A client passed one of its <see cref="ClientLimits"/> and is disconnected; the message says which.</summary>
public sealed class ClientLimitException(string message) : Exception(message);
