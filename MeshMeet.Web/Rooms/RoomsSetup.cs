using System.Security.Claims;
using MeshMeet.Web.Accounts;

namespace MeshMeet.Web.Rooms;

public static class RoomsSetup
{
    public static IServiceCollection AddRooms(this IServiceCollection services)
    {
        services.AddScoped<RoomService>();
        services.AddScoped<IAccountDeletionStep, DeleteOwnedRooms>();
        return services;
    }

    public static IEndpointRouteBuilder MapRooms(this IEndpointRouteBuilder app)
    {
        app.MapRoomsApi();
        return app;
    }

    /// <summary>The signed-in user as the audit log names them.</summary>
    public static Host AsHost(this ClaimsPrincipal user) =>
        new(user.UserId() ?? throw new InvalidOperationException("Not signed in."),
            user.Identity?.Name ?? user.FindFirstValue(ClaimTypes.Email) ?? user.FindFirstValue("name") ?? "");

    /// <summary>scheme://host/pathbase of this request, for absolute join links.</summary>
    public static string BaseUrl(this HttpRequest request) => $"{request.Scheme}://{request.Host}{request.PathBase}";
}

/// <summary>An account's rooms go before the account does, each as its owner would delete it.</summary>
internal sealed class DeleteOwnedRooms(RoomService rooms) : IAccountDeletionStep
{
    public async Task BeforeDeleteAsync(Microsoft.AspNetCore.Identity.IdentityUser user, CancellationToken ct)
    {
        var owner = new Host(user.Id, user.UserName ?? user.Email ?? user.Id);
        foreach (var room in await rooms.ListAsync(user.Id, baseUrl: "", ct)) await rooms.DeleteAsync(owner, room.Id, ct);
    }
}
