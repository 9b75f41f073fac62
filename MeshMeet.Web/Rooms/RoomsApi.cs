using MeshMeet.Web.Accounts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MeshMeet.Web.Rooms;

/// <param name="Lobby">"Ask to join": guests wait until a host lets them in.</param>
/// <param name="AskToUnmute">Someone the host muted stays muted until the host allows them to speak.</param>
public sealed record CreateRoomRequest(string? Name, int? Capacity, bool Lobby = false, bool AskToUnmute = false);

/// <summary>PATCH /api/rooms/{id}: the settings to change; what is left out stays as it is.</summary>
public sealed record ChangeRoomRequest(bool? Lobby, bool? AskToUnmute);

/// <summary>The JSON shape of a room: what DESIGN.md promises API clients, and the room's settings.</summary>
public sealed record RoomResponse(string Id, string Name, int Capacity, string JoinUrl, int LiveParticipants, bool Lobby, bool AskToUnmute);

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
        rooms.MapPatch("/{id}", ChangeAsync);
        return rooms;
    }

    private static async Task<Results<Created<RoomResponse>, ValidationProblem>> CreateAsync(
        CreateRoomRequest request, HttpContext http, RoomService rooms, CancellationToken ct)
    {
        var (input, errors) = RoomRules.Validate(request.Name, request.Capacity);
        if (input is null) return TypedResults.ValidationProblem(errors);
        var room = await rooms.CreateAsync(http.User.AsHost(), input with { Lobby = request.Lobby, AskToUnmute = request.AskToUnmute },
            http.Request.BaseUrl(), ct);
        return TypedResults.Created($"/api/rooms/{room.Id}", room.AsResponse());
    }

    private static async Task<Ok<RoomResponse[]>> ListAsync(HttpContext http, RoomService rooms, CancellationToken ct)
    {
        var list = await rooms.ListAsync(http.User.UserId()!, http.Request.BaseUrl(), ct);
        return TypedResults.Ok(list.Select(r => r.AsResponse()).ToArray());
    }

    private static async Task<Results<Ok<RoomResponse>, NotFound<Microsoft.AspNetCore.Mvc.ProblemDetails>>> ChangeAsync(
        string id, ChangeRoomRequest request, HttpContext http, RoomService rooms, CancellationToken ct) =>
        await rooms.ChangeSettingsAsync(http.User.AsHost(), id, new RoomSettings(request.Lobby, request.AskToUnmute), http.Request.BaseUrl(), ct) is { } room
            ? TypedResults.Ok(room.AsResponse())
            : NoSuchRoom();

    /// <summary>Someone else's room answers 404 like a missing one: ids of other hosts' rooms are not revealed.</summary>
    private static async Task<Results<NoContent, NotFound<Microsoft.AspNetCore.Mvc.ProblemDetails>>> DeleteAsync(
        string id, HttpContext http, RoomService rooms, CancellationToken ct) =>
        await rooms.DeleteAsync(http.User.AsHost(), id, ct)
            ? TypedResults.NoContent()
            : NoSuchRoom();

    private static NotFound<Microsoft.AspNetCore.Mvc.ProblemDetails> NoSuchRoom() => TypedResults.NotFound(new Microsoft.AspNetCore.Mvc.ProblemDetails
    {
        Status = 404, Title = "Room not found", Detail = "You have no room with that id.",
    });

    private static RoomResponse AsResponse(this RoomView r) => new(r.Id, r.Name, r.Capacity, r.JoinUrl, r.LiveParticipants, r.Lobby, r.AskToUnmute);
}
