using JasperFx.Events;
using Marten;
using Marten.Events;

namespace MeshMeet.Web.Audit;

/// <summary>One event of a room's history, as the admin pages and the CSV export show it.</summary>
public sealed record AuditEntry(long Sequence, DateTimeOffset At, string RoomId, string RoomName, string Event,
    string Actor, string Participant, string Details);

/// <summary>Reads of the audit log. Marten queries live in this file only (their ToListAsync clashes with EF's).</summary>
public sealed class AuditQueries(IQuerySession session)
{
    public Task<RoomSummary?> SummaryAsync(string roomId, CancellationToken ct = default) =>
        session.Query<RoomSummary>().Where(s => s.RoomId == roomId).FirstOrDefaultAsync(ct);

    /// <summary>One page of room summaries that match, most recent activity first, and how many match in all.</summary>
    public async Task<(IReadOnlyList<RoomSummary> Rooms, int Total)> SearchAsync(AuditFilter filter, CancellationToken ct = default)
    {
        var query = await FilteredAsync(filter, ct);
        var total = await query.CountAsync(ct);
        var rooms = await query.OrderByDescending(s => s.LastActivity)
            .Skip((filter.Page - 1) * AuditFilter.PageSize).Take(AuditFilter.PageSize).ToListAsync(ct);
        return (rooms, total);
    }

    /// <summary>Every event that matches, oldest first, read from the database as it is written out.</summary>
    public async IAsyncEnumerable<AuditEntry> EntriesAsync(AuditFilter filter, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var rooms = await (await FilteredAsync(filter with { Kind = null }, ct)).Select(s => new { s.Id, s.RoomName }).ToListAsync(ct);
        var names = rooms.ToDictionary(s => s.Id, s => s.RoomName);
        var streams = names.Keys.ToArray();
        var events = session.Events.QueryAllRawEvents().Where(e => e.StreamId.IsOneOf(streams));
        if (filter.Kind is not null) events = events.Where(e => e.EventTypesAre(AuditCatalogue.Named(filter.Kind)!.Type));
        if (filter.From is { } from) events = events.Where(e => e.Timestamp >= from);
        if (filter.To is { } to) events = events.Where(e => e.Timestamp < to);
        await foreach (var e in events.OrderBy(e => e.Sequence).ToAsyncEnumerable(ct))
            if (AuditCatalogue.Entry(e, names.GetValueOrDefault(e.StreamId, "")) is { } entry) yield return entry;
    }

    private async Task<IQueryable<RoomSummary>> FilteredAsync(AuditFilter f, CancellationToken ct)
    {
        var query = session.Query<RoomSummary>().AsQueryable();
        if (f.Room is { } room)
            query = query.Where(s => s.RoomId == room || s.RoomName.Contains(room, StringComparison.OrdinalIgnoreCase));
        if (f.Host is { } host) query = query.Where(s => s.OwnerName.Contains(host, StringComparison.OrdinalIgnoreCase));
        if (f.From is { } from) query = query.Where(s => s.LastActivity >= from);
        if (f.To is { } to) query = query.Where(s => s.CreatedAt < to);
        if (f.Kind is not null)
        {
            // Rooms with at least one event of that kind (in the time range, if one is given).
            var events = session.Events.QueryAllRawEvents().Where(e => e.EventTypesAre(AuditCatalogue.Named(f.Kind)!.Type));
            if (f.From is { } efrom) events = events.Where(e => e.Timestamp >= efrom);
            if (f.To is { } eto) events = events.Where(e => e.Timestamp < eto);
            var streams = (await events.Select(e => e.StreamId).ToListAsync(ct)).Distinct().ToArray();
            query = query.Where(s => s.Id.IsOneOf(streams));
        }
        return query;
    }

    /// <summary>The latest events of one kind over every room, newest first.</summary>
    public async Task<IReadOnlyList<AuditEntry>> LatestAsync<TEvent>(int count, CancellationToken ct = default)
    {
        var events = await session.Events.QueryAllRawEvents().Where(e => e.EventTypesAre(typeof(TEvent)))
            .OrderByDescending(e => e.Sequence).Take(count).ToListAsync(ct);
        var streams = events.Select(e => e.StreamId).Distinct().ToArray();
        var names = (await session.Query<RoomSummary>().Where(s => s.Id.IsOneOf(streams)).Select(s => new { s.Id, s.RoomName }).ToListAsync(ct))
            .ToDictionary(s => s.Id, s => s.RoomName);
        return events.Select(e => AuditCatalogue.Entry(e, names.GetValueOrDefault(e.StreamId, ""))).OfType<AuditEntry>().ToList();
    }

    /// <summary>Every event of a room's stream, oldest first.</summary>
    public async Task<IReadOnlyList<AuditEntry>> TimelineAsync(string roomId, CancellationToken ct = default)
    {
        var summary = await SummaryAsync(roomId, ct);
        if (summary is null) return [];
        var events = await session.Events.FetchStreamAsync(summary.Id, token: ct);
        return events.Select(e => AuditCatalogue.Entry(e, summary.RoomName)).OfType<AuditEntry>().ToList();
    }
}
