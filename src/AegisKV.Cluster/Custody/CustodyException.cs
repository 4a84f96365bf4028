namespace AegisKV.Cluster.Custody;

/// <summary>A custody write could not be made; the message says why in one line.</summary>
public sealed class CustodyException(string message) : Exception(message);
