using MeshMeet.Web.Accounts;
using MeshMeet.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MeshMeet.Web.Rooms;

/// <summary>The create form's fields, as posted.</summary>
public sealed class CreateRoomForm
{
    public string? Name { get; set; }
    public int? Capacity { get; set; } = RoomRules.MaxCapacity;
    public bool Lobby { get; set; }
    public bool AskToUnmute { get; set; }
}

/// <summary>/rooms: a host's rooms. With htmx each handler answers with the panel fragment; without, a full page.</summary>
[Authorize]
public sealed class IndexModel(RoomService rooms) : PageModel
{
    [BindProperty]
    public CreateRoomForm Form { get; set; } = new();

    public IReadOnlyList<RoomView> Rooms { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) => await ShowAsync(ct);

    /// <summary>The panel alone, for htmx polling of live participant counts.</summary>
    public async Task<IActionResult> OnGetPanelAsync(CancellationToken ct) => await ShowAsync(ct);

    public async Task<IActionResult> OnPostCreateAsync(CancellationToken ct)
    {
        var (input, errors) = RoomRules.Validate(Form.Name, Form.Capacity);
        if (input is null)
        {
            foreach (var (field, messages) in errors)
                ModelState.AddModelError($"{nameof(Form)}.{char.ToUpperInvariant(field[0])}{field[1..]}", messages[0]);
            return await ShowAsync(ct, StatusCodes.Status422UnprocessableEntity);
        }
        await rooms.CreateAsync(User.AsHost(), input with { Lobby = Form.Lobby, AskToUnmute = Form.AskToUnmute }, Request.BaseUrl(), ct);
        return await AfterChangeAsync(ct);
    }

    /// <summary>A room's settings as its checkboxes now are (an unchecked box posts nothing: false).</summary>
    public async Task<IActionResult> OnPostSettingsAsync(string id, bool lobby, bool askToUnmute, CancellationToken ct)
    {
        if (await rooms.ChangeSettingsAsync(User.AsHost(), id, new RoomSettings(lobby, askToUnmute), Request.BaseUrl(), ct) is null) return NotFound();
        return await AfterChangeAsync(ct);
    }

    public async Task<IActionResult> OnPostDeleteAsync(string id, CancellationToken ct)
    {
        if (!await rooms.DeleteAsync(User.AsHost(), id, ct)) return NotFound();
        return await AfterChangeAsync(ct);
    }

    private async Task<IActionResult> AfterChangeAsync(CancellationToken ct)
    {
        if (!Request.WantsFragment()) return RedirectToPage(); // Post/Redirect/Get for plain forms.
        ModelState.Clear();
        Form = new CreateRoomForm();
        return await ShowAsync(ct);
    }

    private async Task<IActionResult> ShowAsync(CancellationToken ct, int status = StatusCodes.Status200OK)
    {
        Rooms = await rooms.ListAsync(User.UserId()!, Request.BaseUrl(), ct);
        Response.StatusCode = status;
        Response.VaryOnHtmx();
        return Request.WantsFragment() ? Partial("_RoomsPanel", this) : Page();
    }
}
