using MeshMeet.Web.Infrastructure;
using Microsoft.AspNetCore.DataProtection;

namespace MeshMeet.Web.Signaling;

/// <summary>
/// Remembers a browser across reloads and cleared storage with a server-set, signed, HttpOnly cookie, so a kick
/// sticks: the kicked browser is barred from the room even if it forgets its reconnect token. (Clearing cookies too
/// defeats it; "Lock when I kick someone" is the remedy for that.) Only a hash of the id is ever stored.
/// </summary>
public sealed class BrowserIds(IDataProtectionProvider protection)
{
    public const string CookieName = "meshmeet.browser";
    private readonly IDataProtector _protector = protection.CreateProtector("MeshMeet.BrowserId.v1");

    /// <summary>Gives the browser an id if it has no valid one (the call page does this before anyone joins).</summary>
    public void Ensure(HttpContext http)
    {
        if (HashOf(http) is not null) return;
        http.Response.Cookies.Append(CookieName, _protector.Protect(SecureId.New()), new CookieOptions
        {
            HttpOnly = true,
            Secure = http.Request.IsHttps,
            SameSite = SameSiteMode.Lax,
            IsEssential = true,
            MaxAge = TimeSpan.FromDays(365),
        });
    }

    /// <summary>The stored form of this browser's id, or null without a valid cookie (a forged one is ignored).</summary>
    public string? HashOf(HttpContext? http)
    {
        if (http?.Request.Cookies[CookieName] is not { Length: > 0 and < 400 } cookie) return null;
        try { return SecureId.Hash("browser:" + _protector.Unprotect(cookie)); }
        catch (System.Security.Cryptography.CryptographicException) { return null; }
    }
}
