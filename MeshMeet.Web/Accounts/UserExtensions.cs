using System.Security.Claims;

namespace MeshMeet.Web.Accounts;

public static class UserExtensions
{
    /// <summary>The Identity user id from either a cookie or a JWT (whose "sub" is mapped to NameIdentifier).</summary>
    public static string? UserId(this ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true ? user.FindFirstValue(ClaimTypes.NameIdentifier) : null;
}
