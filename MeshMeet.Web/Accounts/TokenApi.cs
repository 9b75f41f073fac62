using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace MeshMeet.Web.Accounts;

public sealed record TokenRequest(string? Email, string? Password);
public sealed record TokenResponse(string AccessToken, DateTimeOffset ExpiresAt);

internal static class TokenApi
{
    /// <summary>POST /api/token: a wrong password is a 401 and counts toward lockout, like the sign-in page.</summary>
    public static async Task<Results<Ok<TokenResponse>, UnauthorizedHttpResult, ValidationProblem>> IssueAsync(
        TokenRequest request, UserManager<IdentityUser> users, SignInManager<IdentityUser> signIn, TokenIssuer issuer)
    {
        if (string.IsNullOrWhiteSpace(request.Email) || string.IsNullOrEmpty(request.Password))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["email"] = ["Email and password are required."],
            });
        var user = await users.FindByEmailAsync(request.Email.Trim());
        if (user is null)
        {
            // As slow as a wrong password for a real account, so timing does not tell which e-mails have accounts.
            users.PasswordHasher.VerifyHashedPassword(Decoy.User, Decoy.Hash(users.PasswordHasher), request.Password);
            return TypedResults.Unauthorized();
        }
        var check = await signIn.CheckPasswordSignInAsync(user, request.Password, lockoutOnFailure: true);
        if (!check.Succeeded) return TypedResults.Unauthorized();
        return TypedResults.Ok(await issuer.IssueAsync(user));
    }
}

/// <summary>A password hash of the configured strength that no real password matches.</summary>
internal static class Decoy
{
    public static readonly IdentityUser User = new("decoy");
    private static string? _hash;

    public static string Hash(IPasswordHasher<IdentityUser> hasher) =>
        _hash ??= hasher.HashPassword(User, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24)));
}

internal sealed class TokenIssuer(JwtSigning signing, UserManager<IdentityUser> users, TimeProvider clock)
{
    public async Task<TokenResponse> IssueAsync(IdentityUser user)
    {
        var now = clock.GetUtcNow();
        var expires = now + signing.Lifetime;
        var claims = new Dictionary<string, object>
        {
            [JwtRegisteredClaimNames.Sub] = user.Id,
            [JwtRegisteredClaimNames.Email] = user.Email ?? "",
            [JwtRegisteredClaimNames.Name] = user.UserName ?? "",
        };
        var roles = await users.GetRolesAsync(user);
        if (roles.Count > 0) claims[ClaimTypes.Role] = roles.ToArray();
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = signing.Issuer,
            Audience = signing.Issuer,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            Claims = claims,
            SigningCredentials = new SigningCredentials(signing.Key, SecurityAlgorithms.HmacSha256),
        });
        return new TokenResponse(token, expires);
    }
}
