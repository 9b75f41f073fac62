using System.Globalization;

namespace MeshMeet.Web.Audit;

/// <summary>What the admin asked to see: the query string of /admin/audit and its CSV export, already checked.</summary>
public sealed record AuditFilter(string? Room, string? Host, string? Kind, DateTimeOffset? From, DateTimeOffset? To, int Page = 1)
{
    public const int PageSize = 20;

    /// <summary>Every event kind an admin can filter by, named as the audit log shows them.</summary>
    public static IReadOnlyList<string> Kinds { get; } = AuditCatalogue.Kinds.Select(k => k.Name).ToList();

    /// <summary>Reads the raw query values; anything unusable is dropped rather than failing the page.</summary>
    public static AuditFilter Parse(string? room, string? host, string? kind, string? from, string? to, string? page) => new(
        Clean(room), Clean(host),
        AuditCatalogue.Named(kind)?.Name,
        Date(from), Date(to) is { } end && !to!.Contains('T') ? end.AddDays(1) : Date(to),
        int.TryParse(page, out var p) && p > 0 ? Math.Min(p, 10_000) : 1);

    /// <summary>The same filter as query-string values, for links (paging, export) that keep it.</summary>
    public Dictionary<string, string?> ToQuery(int? page = null) => new()
    {
        ["room"] = Room,
        ["host"] = Host,
        ["kind"] = Kind,
        ["from"] = From?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ["to"] = To?.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ["page"] = (page ?? Page) > 1 ? (page ?? Page).ToString(CultureInfo.InvariantCulture) : null,
    };

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim()[..Math.Min(value.Trim().Length, 100)];

    private static DateTimeOffset? Date(string? value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d) ? d : null;
}
