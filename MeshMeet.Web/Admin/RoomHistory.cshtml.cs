using MeshMeet.Web.Accounts;
using MeshMeet.Web.Audit;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MeshMeet.Web.Admin;

/// <summary>/admin/audit/rooms/{roomId}: one room's every event, in order (also after the room was deleted).</summary>
[Authorize(Policy = AccountsSetup.AdminPolicy)]
public sealed class RoomHistoryModel(AuditQueries audit) : PageModel
{
    public RoomSummary? Summary { get; private set; }
    public IReadOnlyList<AuditEntry> Events { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(string roomId, CancellationToken ct)
    {
        Summary = await audit.SummaryAsync(roomId, ct);
        if (Summary is null) return NotFound();
        Events = await audit.TimelineAsync(roomId, ct);
        return Page();
    }
}
