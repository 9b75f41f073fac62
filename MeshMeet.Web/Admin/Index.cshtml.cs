using MeshMeet.Web.Accounts;
using MeshMeet.Web.Infrastructure;
using MeshMeet.Web.Moderation;
using MeshMeet.Web.Rooms;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MeshMeet.Web.Admin;

/// <summary>/admin: the live overview, refreshed by htmx every few seconds; an admin can close a live call.</summary>
[Authorize(Policy = AccountsSetup.AdminPolicy)]
public sealed class IndexModel(LiveOverview live, ModerationService moderation) : PageModel
{
    public Overview Overview { get; private set; } = new([], [], []);
    public DateTimeOffset At { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        Overview = await live.ReadAsync(ct);
        At = DateTimeOffset.UtcNow;
        Response.VaryOnHtmx();
        return Request.WantsFragment() ? Partial("_Overview", this) : Page();
    }

    /// <summary>Closes a live call for everyone in it, recorded as ended by this admin.</summary>
    public async Task<IActionResult> OnPostCloseAsync(string id, CancellationToken ct)
    {
        if (!await moderation.CloseAsAdminAsync(User.AsHost(), id, ct)) return NotFound();
        return await OnGetAsync(ct);
    }
}
