using System.Security.Cryptography;
using System.Text;
using AegisKV.Server.Admin;
using AegisKV.Server.Configuration;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace AegisKV.Server.Monitoring;

/// <summary>
/// Who may see the dashboard when the node has an auth token. A browser's <c>EventSource</c> sends no headers, so the
/// operator signs in once with the token and gets an HttpOnly, same-site cookie; the cookie holds a digest keyed by the
/// token, never the token, and is good for the dashboard's own paths only (the admin API's verbs still need the header).
/// </summary>
public static class DashboardSignIn
{
    /// <summary>The cookie's name.</summary>
    public const string CookieName = "aegis_dashboard";

    /// <summary>Where the cookie is sent.</summary>
    public const string CookiePath = "/dashboard";

    /// <summary>True when the node has no token, or the request carries the token's header or the signed-in cookie.</summary>
    public static bool IsSignedIn(HttpContext http)
    {
        if (TokenCheck.IsAuthorized(http)) return true;
        var token = http.RequestServices.GetRequiredService<NodeSettings>().AuthToken!;
        return http.Request.Cookies.TryGetValue(CookieName, out var cookie)
               && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(cookie), Encoding.ASCII.GetBytes(CookieValue(token)));
    }

    /// <summary>Checks <paramref name="given"/> against the token; when it is right, sets the cookie.</summary>
    public static bool TrySignIn(HttpContext http, string? given)
    {
        if (http.RequestServices.GetRequiredService<NodeSettings>().AuthToken is not { } token) return true;
        if (string.IsNullOrEmpty(given) || !TokenCheck.Matches(Encoding.UTF8.GetBytes(given), token)) return false;
        http.Response.Cookies.Append(CookieName, CookieValue(token), Options(http));
        return true;
    }

    /// <summary>Removes the cookie.</summary>
    public static void SignOut(HttpContext http) => http.Response.Cookies.Delete(CookieName, Options(http));

    // A session cookie: gone when the browser closes, and with any change of the token.
    private static CookieOptions Options(HttpContext http) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = http.Request.IsHttps,
        Path = CookiePath,
    };

    private static string CookieValue(string token) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(token), "AegisKV dashboard session v1"u8))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
