using System.Text;
using MeshMeet.Web.Accounts;
using MeshMeet.Web.Audit;

namespace MeshMeet.Web.Admin;

public static class AdminSetup
{
    public static IServiceCollection AddAdmin(this IServiceCollection services) => services.AddScoped<LiveOverview>();

    public static IEndpointRouteBuilder MapAdmin(this IEndpointRouteBuilder app)
    {
        app.MapGet("/admin/audit/export", ExportAsync).RequireAuthorization(AccountsSetup.AdminPolicy);
        return app;
    }

    /// <summary>/admin/audit/export: one CSV row per event for the current filter, written while it is read, so a
    /// long history never sits in memory.</summary>
    private static async Task ExportAsync(HttpContext http, AuditQueries audit, TimeProvider clock, CancellationToken ct)
    {
        var q = http.Request.Query;
        var filter = AuditFilter.Parse(q["room"], q["host"], q["kind"], q["from"], q["to"], null);
        http.Response.ContentType = "text/csv; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"meshmeet-audit-{clock.GetUtcNow():yyyyMMdd-HHmm}.csv\"";
        await using var writer = new StreamWriter(http.Response.Body, new UTF8Encoding(false), bufferSize: 16 * 1024);
        await writer.WriteAsync(Csv.Row("time", "room id", "room name", "event", "actor", "participant", "details"));
        await foreach (var e in audit.EntriesAsync(filter, ct))
            await writer.WriteAsync(Csv.Row(e.At.ToString("u"), e.RoomId, e.RoomName, e.Event, e.Actor, e.Participant, e.Details));
        await writer.FlushAsync(ct);
    }
}
