using MeshMeet.Web.Rooms;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace MeshMeet.Web.Accounts;

/// <summary>
/// Identity's user manager, with one change: deleting an account (the personal-data page, or anything else) first
/// deletes each of its rooms through <see cref="RoomService"/>, as its owner would: live calls are closed for everyone
/// in them and RoomDeleted is recorded, instead of rooms vanishing in a database cascade with people still in them.
/// </summary>
public sealed class AccountUserManager : UserManager<IdentityUser>
{
    private readonly IServiceProvider _services;

    public AccountUserManager(
        IUserStore<IdentityUser> store, IOptions<IdentityOptions> options, IPasswordHasher<IdentityUser> hasher,
        IEnumerable<IUserValidator<IdentityUser>> userValidators, IEnumerable<IPasswordValidator<IdentityUser>> passwordValidators,
        ILookupNormalizer normalizer, IdentityErrorDescriber errors, IServiceProvider services, ILogger<UserManager<IdentityUser>> log)
        : base(store, options, hasher, userValidators, passwordValidators, normalizer, errors, services, log) => _services = services;

    public override async Task<IdentityResult> DeleteAsync(IdentityUser user)
    {
        var rooms = _services.GetRequiredService<RoomService>();
        var owner = new Rooms.Host(user.Id, user.UserName ?? user.Email ?? user.Id);
        foreach (var room in await rooms.ListAsync(user.Id, baseUrl: "", CancellationToken)) await rooms.DeleteAsync(owner, room.Id, CancellationToken);
        return await base.DeleteAsync(user);
    }
}
