namespace AegisKV.Server.Resp;

/// <summary>One framed client request, or the protocol error that ends the connection.</summary>
/// <param name="Arguments">The request's arguments, command name first; null on a protocol error.</param>
/// <param name="ProtocolError">The whole error reply text (protocol error or passed limit); null for a request.</param>
internal readonly record struct Incoming(byte[][]? Arguments, string? ProtocolError);
