using System.Security.Cryptography;
using System.Text;
using AegisKV.Server.Configuration;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace AegisKV.Server.Admin;

/// <summary>
/// The node's one secret check, for RESP's <c>AUTH</c> and for the health port's <c>Authorization: Bearer</c>: digests
/// are compared in constant time, so the time taken says nothing of the token, not even its length.
/// </summary>
public static class TokenCheck
{
    /// <summary>True when <paramref name="given"/> is <paramref name="token"/>.</summary>
    public static bool Matches(ReadOnlySpan<byte> given, string token) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(given), SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>True when the node has no token, or the request carries it as <c>Authorization: Bearer TOKEN</c>.</summary>
    public static bool IsAuthorized(HttpContext http)
    {
        if (http.RequestServices.GetRequiredService<NodeSettings>().AuthToken is not { } token) return true;
        var header = http.Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.Ordinal) && Matches(Encoding.UTF8.GetBytes(header[7..].Trim()), token);
    }
}
