using MeshMeet.Web.Accounts;
using MeshMeet.Web.Calls.Recording;
using MeshMeet.Web.Rooms;
using MeshMeet.Web.Signaling;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MeshMeet.Web.Calls;

/// <summary>/r/{id}, the call page: anyone with the link. Unknown or deleted rooms get a 404 page that says so.</summary>
public sealed class JoinModel(RoomService rooms, BrowserIds browsers, Infrastructure.MeshMeetDb db) : PageModel
{
    public RoomLobby? Room { get; private set; }

    /// <summary>Who records the call now: a person joining is told before they join.</summary>
    public IReadOnlyList<string> Recorders { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(string id, CancellationToken ct)
    {
        Room = await rooms.FindLobbyAsync(id, User.UserId(), ct);
        if (Room is null) Response.StatusCode = StatusCodes.Status404NotFound;
        else
        {
            browsers.Ensure(HttpContext);
            Recorders = await db.RecordersAsync(Room.Id, ct);
        }
        return Page();
    }
}
