using MeshMeet.Web.Accounts;
using MeshMeet.Web.Audit;
using MeshMeet.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MeshMeet.Web.Admin;

/// <summary>/admin/audit: every room's history in summary, filtered through the query string (bookmarkable).</summary>
[Authorize(Policy = AccountsSetup.AdminPolicy)]
public sealed class AuditModel(AuditQueries audit) : PageModel
{
    public AuditFilter Filter { get; private set; } = new(null, null, null, null, null);
    public IReadOnlyList<RoomSummary> Rooms { get; private set; } = [];
    public int Total { get; private set; }
    public int PageCount => Math.Max(1, (Total + AuditFilter.PageSize - 1) / AuditFilter.PageSize);

    public async Task<IActionResult> OnGetAsync(string? room, string? host, string? kind, string? from, string? to, string? page, CancellationToken ct)
    {
        Filter = AuditFilter.Parse(room, host, kind, from, to, page);
        (Rooms, Total) = await audit.SearchAsync(Filter, ct);
        Response.VaryOnHtmx();
        return Request.WantsFragment() ? Partial("_AuditResults", this) : Page();
    }
}
