using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace MeshMeet.Web.Accounts;

/// <summary>What a feature does before an account it holds data for is deleted (Rooms deletes the account's rooms as
/// their owner would: live calls closed, RoomDeleted recorded). Registered by that feature.</summary>
public interface IAccountDeletionStep
{
    Task BeforeDeleteAsync(IdentityUser user, CancellationToken ct);
}

/// <summary>
/// Identity's user manager, with one change: deleting an account (the personal-data page, or anything else) first
/// runs every feature's <see cref="IAccountDeletionStep"/>, instead of the features' rows vanishing in a database
/// cascade with people still in their calls.
/// </summary>
public sealed class AccountUserManager(
    IUserStore<IdentityUser> store, IOptions<IdentityOptions> options, IPasswordHasher<IdentityUser> hasher,
    IEnumerable<IUserValidator<IdentityUser>> userValidators, IEnumerable<IPasswordValidator<IdentityUser>> passwordValidators,
    ILookupNormalizer normalizer, IdentityErrorDescriber errors, IServiceProvider services, ILogger<UserManager<IdentityUser>> log,
    IEnumerable<IAccountDeletionStep> deletionSteps)
    : UserManager<IdentityUser>(store, options, hasher, userValidators, passwordValidators, normalizer, errors, services, log)
{
    public override async Task<IdentityResult> DeleteAsync(IdentityUser user)
    {
        foreach (var step in deletionSteps) await step.BeforeDeleteAsync(user, CancellationToken);
        return await base.DeleteAsync(user);
    }
}
