using System.Globalization;

namespace AegisKV.Server.Configuration;

/// <summary>A host and port as given in <c>--bind</c>, <c>--gossip</c>, <c>--health</c>; an empty host means every interface.</summary>
/// <param name="Host">Host name or address; "0.0.0.0" for every interface.</param>
/// <param name="Port">TCP port; 0 lets the OS choose.</param>
public sealed record NodeEndpoint(string Host, int Port)
{
    /// <summary>Parses <c>host:port</c>, <c>:port</c> or <c>[v6]:port</c>; false when it is not one.</summary>
    public static bool TryParse(string text, out NodeEndpoint endpoint)
    {
        endpoint = new NodeEndpoint("0.0.0.0", 0);
        var colon = text.LastIndexOf(':');
        if (colon < 0) return false;
        var host = text[..colon].Trim();
        if (host.StartsWith('[') && host.EndsWith(']')) host = host[1..^1];
        if (host.Length == 0) host = "0.0.0.0";
        if (!int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535) return false;
        endpoint = new NodeEndpoint(host, port);
        return true;
    }

    /// <summary>True when the host means every interface.</summary>
    public bool IsAnyAddress => Host is "0.0.0.0" or "::" or "*";

    /// <inheritdoc />
    public override string ToString() => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
