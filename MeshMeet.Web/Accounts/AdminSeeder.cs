using MeshMeet.Web.Infrastructure;
using Microsoft.AspNetCore.Identity;

namespace MeshMeet.Web.Accounts;

/// <summary>Ensures Admin:Email / Admin:Password is a user in the Admin role; nothing happens when they are unset. An
/// existing account is promoted only if the configured password is its password; otherwise start-up stops and says why.</summary>
internal sealed partial class AdminSeeder(
    UserManager<IdentityUser> users, RoleManager<IdentityRole> roles, IConfiguration config, ILogger<AdminSeeder> log) : IStartupStep
{
    public async Task RunAsync(CancellationToken ct)
    {
        if (!await roles.RoleExistsAsync(AccountsSetup.AdminRole))
            Check(await roles.CreateAsync(new IdentityRole(AccountsSetup.AdminRole)));

        var email = config["Admin:Email"];
        var password = config["Admin:Password"];
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrEmpty(password)) return;

        var user = await users.FindByEmailAsync(email);
        if (user is null)
        {
            user = new IdentityUser { UserName = email, Email = email, EmailConfirmed = true };
            Check(await users.CreateAsync(user, password));
            LogCreated(email);
        }
        if (await users.IsInRoleAsync(user, AccountsSetup.AdminRole)) return;
        // Someone may have registered this address first: configuration alone must not hand their account admin rights.
        if (!await users.CheckPasswordAsync(user, password))
            throw new InvalidOperationException(
                $"An account with Admin:Email {email} already exists and Admin:Password is not its password, so it was not " +
                "made an admin. Set Admin:Password to that account's password (if it is yours), or choose another Admin:Email.");
        Check(await users.AddToRoleAsync(user, AccountsSetup.AdminRole));
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
            throw new InvalidOperationException("Could not set up the admin account: " +
                string.Join(" ", result.Errors.Select(e => e.Description)));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the admin account {Email}")]
    private partial void LogCreated(string email);
}
