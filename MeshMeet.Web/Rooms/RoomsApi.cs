using MeshMeet.Web.Accounts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MeshMeet.Web.Rooms;

public sealed record CreateRoomRequest(string? Name, int? Capacity);

/// <summary>The JSON shape of a room: exactly what DESIGN.md promises API clients.</summary>
public sealed record RoomResponse(string Id, string Name, int Capacity, string JoinUrl, int LiveParticipants);

internal static class RoomsApi
{
    public static RouteGroupBuilder MapRoomsApi(this IEndpointRouteBuilder app)
    {
        var rooms = app.MapGroup("/api/rooms")
            .RequireAuthorization(p => p.AddAuthenticationSchemes(AccountsSetup.CookieOrBearer).RequireAuthenticatedUser())
            // Bearer clients carry no cookie to forge; cookie clients are checked by SameSite=Lax and the JSON content type.
            .DisableAntiforgery();
        rooms.MapPost("/", CreateAsync);
        rooms.MapGet("/", ListAsync);
        rooms.MapDelete("/{id}", DeleteAsync);
        return rooms;
    }

    private static async Task<Results<Created<RoomResponse>, ValidationProblem>> CreateAsync(
        CreateRoomRequest request, HttpContext http, RoomService rooms, CancellationToken ct)
    {
        var (input, errors) = RoomRules.Validate(request.Name, request.Capacity);
        if (input is null) return TypedResults.ValidationProblem(errors);
        var room = await rooms.CreateAsync(http.User.AsHost(), input, http.Request.BaseUrl(), ct);
        return TypedResults.Created($"/api/rooms/{room.Id}", room.AsResponse());
    }

    private static async Task<Ok<RoomResponse[]>> ListAsync(HttpContext http, RoomService rooms, CancellationToken ct)
    {
        var list = await rooms.ListAsync(http.User.UserId()!, http.Request.BaseUrl(), ct);
        return TypedResults.Ok(list.Select(r => r.AsResponse()).ToArray());
    }

    /// <summary>Someone else's room answers 404 like a missing one: ids of other hosts' rooms are not revealed.</summary>
    private static async Task<Results<NoContent, NotFound<Microsoft.AspNetCore.Mvc.ProblemDetails>>> DeleteAsync(
        string id, HttpContext http, RoomService rooms, CancellationToken ct) =>
        await rooms.DeleteAsync(http.User.AsHost(), id, ct)
            ? TypedResults.NoContent()
            : TypedResults.NotFound(new Microsoft.AspNetCore.Mvc.ProblemDetails
            {
                Status = 404, Title = "Room not found", Detail = "You have no room with that id.",
            });

    private static RoomResponse AsResponse(this RoomView r) => new(r.Id, r.Name, r.Capacity, r.JoinUrl, r.LiveParticipants);
}
