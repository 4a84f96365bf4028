namespace AegisKV.Protocol;

/// <summary>
/// Thrown by <see cref="RespReader"/> when a client sends malformed RESP. The connection cannot be
/// resynchronised afterwards, so callers should reply with an error and close it, as Redis does.
/// </summary>
public sealed class RespProtocolException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">
    /// The text Redis prints after "-ERR Protocol error: ", for example "invalid bulk length".
    /// </param>
    public RespProtocolException(string message)
        : base(message)
    {
    }
}
