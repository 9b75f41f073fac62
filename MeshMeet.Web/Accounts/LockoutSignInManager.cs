using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace MeshMeet.Web.Accounts;

/// <summary>
/// Every failed password counts toward lockout. The Identity UI's sign-in page asks for no lockout
/// (<c>lockoutOnFailure: false</c>), which let anyone guess passwords on the form without limit while
/// <c>POST /api/token</c> locked out; this makes the form count like the API does.
/// </summary>
public sealed class LockoutSignInManager(
    UserManager<IdentityUser> users, IHttpContextAccessor context, IUserClaimsPrincipalFactory<IdentityUser> claims,
    IOptions<IdentityOptions> options, ILogger<SignInManager<IdentityUser>> log, IAuthenticationSchemeProvider schemes,
    IUserConfirmation<IdentityUser> confirmation)
    : SignInManager<IdentityUser>(users, context, claims, options, log, schemes, confirmation)
{
    public override Task<SignInResult> PasswordSignInAsync(IdentityUser user, string password, bool isPersistent, bool lockoutOnFailure) =>
        base.PasswordSignInAsync(user, password, isPersistent, lockoutOnFailure: true);

    public override Task<SignInResult> CheckPasswordSignInAsync(IdentityUser user, string password, bool lockoutOnFailure) =>
        base.CheckPasswordSignInAsync(user, password, lockoutOnFailure: true);
}
